import { execFileSync } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'
import t from 'tap'
import { DEFAULT_RESIZING } from '../../src/resizing.js'
import { rasterizeSvg } from '../../src/imaging/svg.js'
import { inspectSvg } from '../../src/imaging/svg-check.js'
import { filesIn, identify, makeImage, testApp, testRunner, upload } from '../helpers.js'
import { peakRss } from '../process-tree.js'

const svg = (body: string, head = ''): string =>
  `${head}<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="30">${body}</svg>`

const HOSTILE: Record<string, [string, RegExp]> = {
  'script.svg': [svg('<script>alert(document.cookie)</script>'), /a <script> element/],
  'namespaced-script.svg': [svg('<svg:script xmlns:svg="http://www.w3.org/2000/svg">alert(1)</svg:script>'), /a <script> element/],
  'handler.svg': [svg('<rect width="10" height="10" onload="alert(1)"/>'), /an event handler \(onload\)/],
  'upper-handler.svg': [svg('<rect width="10" height="10" ONCLICK="alert(1)"/>'), /an event handler/],
  'javascript-link.svg': [svg('<a href="jav&#x61;script:alert(1)"><rect width="5" height="5"/></a>'), /a script URL/],
  'javascript-tabbed.svg': [svg('<a xlink:href="java&#9;script:alert(1)"><rect width="5" height="5"/></a>'), /a script URL/],
  'animate-to-javascript.svg': [svg('<a><set attributeName="href" to="javascript:alert(1)"/><rect width="5" height="5"/></a>'), /a script URL/],
  'foreign.svg': [svg('<foreignObject width="10" height="10"><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>'), /a <foreignobject> element/],
  'remote-image.svg': [svg('<image href="http://127.0.0.1:PORT/tracker.png" width="10" height="10"/>'), /an external reference \(href\)/],
  'local-file.svg': [svg('<image xlink:href="file:///etc/hostname" width="10" height="10"/>'), /an external reference \(xlink:href\)/],
  'xinclude.svg': [svg('<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="/etc/passwd" parse="text"/>'), /an external reference/],
  'css-import.svg': [svg('<style>@import url(http://127.0.0.1:PORT/x.css);</style>'), /in CSS/],
  'css-url.svg': [svg('<rect width="5" height="5" style="fill: url(http://127.0.0.1:PORT/p.svg#x)"/>'), /in CSS/],
  'stylesheet-pi.svg': [svg('', '<?xml-stylesheet href="http://127.0.0.1:PORT/x.css"?>'), /a processing instruction/],
  'xxe.svg': [svg('<text y="20">&xxe;</text>', '<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'), /DTD internal subset/],
  'laughs.svg': [svg('<text y="20">&lol2;</text>', '<!DOCTYPE svg [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'), /DTD internal subset/]
}

/** A server on loopback that records every request it gets: an SVG that fetches shows up here. */
async function recordingServer (t: { teardown: (fn: () => unknown) => void }): Promise<{ port: number, requests: string[] }> {
  const requests: string[] = []
  const server = createServer((request, response) => { requests.push(request.url ?? ''); response.end() }).listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => server.close())
  return { port: (server.address() as { port: number }).port, requests }
}

t.test('each hostile SVG is refused with 400 saying why; nothing is stored and nothing is fetched', async t => {
  const { port, requests } = await recordingServer(t)
  const { app, config } = await testApp(t)
  const dir = t.testdir(Object.fromEntries(Object.entries(HOSTILE).map(([name, [text]]) => [name, text.replaceAll('PORT', String(port))])))
  for (const [name, [, why]] of Object.entries(HOSTILE)) {
    const { statusCode, body } = await upload(app, join(dir, name), name, 'image/svg+xml')
    t.equal(statusCode, 400, name)
    t.match(body.message, /^Unsafe SVG: /, name)
    t.match(body.message, why, name)
  }
  t.same(filesIn(config.incomingFolder), [])
  t.same(requests, [], 'no request reached the network')
})

t.test('clean SVGs pass: fragments, inline images, public DTDs, design-tool metadata', async t => {
  const { app, config } = await testApp(t)
  const pixel = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='
  const dir = t.testdir({
    'clean.svg': svg(`<defs><linearGradient id="g"><stop offset="0" stop-color="red"/></linearGradient></defs><style>rect { fill: url('#g') }</style><rect width="40" height="30" style="fill:url(#g)"/><use href="#g"/><image href="${pixel}" width="1" height="1"/><metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="http://example.com/"/></rdf:RDF></metadata>`,
      '<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n')
  })
  const { statusCode, body } = await upload(app, join(dir, 'clean.svg'), 'clean.svg', 'image/svg+xml')
  t.equal(statusCode, 200, body.message)
  t.ok(existsSync(join(config.incomingFolder, body.filename)))
})

t.test('an SVG\'s size in font units is read as librsvg reads it; in units it cannot read, refused', async t => {
  const dir = t.testdir({
    'em.svg': '<svg xmlns="http://www.w3.org/2000/svg" width="10em" height="4ex"/>',
    'rem.svg': '<svg xmlns="http://www.w3.org/2000/svg" width="10rem" height="10rem" viewBox="0 0 5 5"/>',
    'bad.svg': '<svg xmlns="http://www.w3.org/2000/svg" width="wide" height="10"/>'
  })
  t.same(await inspectSvg(join(dir, 'em.svg')), { width: 120, height: 24 })
  t.match(await inspectSvg(join(dir, 'rem.svg')), { unsized: /^SVG size "10rem" is not in a unit/ })
  const { app } = await testApp(t)
  const { statusCode, body } = await upload(app, join(dir, 'bad.svg'), 'bad.svg', 'image/svg+xml')
  t.equal(statusCode, 400)
  t.match(body.message, /^SVG size "wide" is not in a unit it can be rendered in/)
})

t.test('an SVG\'s size comes from its root, in any absolute unit or its viewBox, and is held to the limits', async t => {
  const dir = t.testdir({
    'px.svg': '<svg xmlns="http://www.w3.org/2000/svg" width="300px" height="200"/>',
    'in.svg': '<svg xmlns="http://www.w3.org/2000/svg" width="2in" height="1in"/>',
    'box.svg': '<svg xmlns="http://www.w3.org/2000/svg" width="100%" viewBox="0 0 640,480"/>',
    'none.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
    'huge.svg': '<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"><rect width="1" height="1"/></svg>'
  })
  t.same(await inspectSvg(join(dir, 'px.svg')), { width: 300, height: 200 })
  t.same(await inspectSvg(join(dir, 'in.svg')), { width: 192, height: 96 })
  t.same(await inspectSvg(join(dir, 'box.svg')), { width: 640, height: 480 })
  t.same(await inspectSvg(join(dir, 'none.svg')), { unsized: 'SVG without a size: its root needs a width and a height, or a viewBox.' })
  const { app } = await testApp(t)
  const { statusCode, body } = await upload(app, join(dir, 'huge.svg'), 'huge.svg', 'image/svg+xml')
  t.equal(statusCode, 400)
  t.equal(body.message, 'Image too large: 100000×100000 px, over 16384 px a side.')
})

t.test('behind the check, rsvg-convert reads the SVG from stdin and loads nothing it references', async t => {
  const { port, requests } = await recordingServer(t)
  const dir = t.testdir()
  const red = makeImage(dir, 'red.png', '10x10', { args: ['-fill', 'red', '-draw', 'color 0,0 reset'] })
  const page = join(dir, 'page.svg')
  writeFileSync(page, svg(`<image href="file://${red}" width="40" height="30"/><image href="red.png" width="40" height="30"/><image href="http://127.0.0.1:${port}/x.png" width="40" height="30"/>`))
  const raster = await rasterizeSvg({ path: page, format: 'svg', width: 40, height: 30 }, DEFAULT_RESIZING, dir, testRunner())
  t.equal(execFileSync('convert', [raster.path, '-format', '%[pixel:p{20,15}]', 'info:']).toString(), 'srgb(255,255,255)', 'neither the local file nor its neighbour was drawn')
  t.same(requests, [], 'nothing fetched')
})

/** A PNG of `side`×`side`, one colour: tiny as a file, `side`² pixels decoded. */
function flatPng (dir: string, side: number): Buffer {
  return readFileSync(makeImage(dir, `flat${side}.png`, `${side}x${side}`, { args: ['-define', 'png:compression-level=9'] }))
}

t.test('SVGs that once took gigabytes: each answered with its process tree under 1 GB', async t => {
  const dir = t.testdir()
  const blur = '<filter id="b"><feGaussianBlur stdDeviation="40"/></filter><rect width="100%" height="100%" fill="red" filter="url(#b)"/>'
  writeFileSync(join(dir, 'blur.svg'), `<svg xmlns="http://www.w3.org/2000/svg" width="12000" height="12000">${blur}</svg>`)
  writeFileSync(join(dir, 'em.svg'), `<svg xmlns="http://www.w3.org/2000/svg" width="1200em" height="800em">${blur}</svg>`)
  const embed = (png: Buffer): string => svg(`<image width="100" height="100" href="data:image/png;base64,${png.toString('base64')}"/>`)
  writeFileSync(join(dir, 'embedded.svg'), embed(flatPng(dir, 9000)))
  writeFileSync(join(dir, 'embeds-some.svg'), embed(flatPng(dir, 3000)))
  writeFileSync(join(dir, 'unmeasurable.svg'), svg('<image width="10" height="10" href="data:image/png;base64,AAAA"/>'))
  const { app, config } = await testApp(t)
  const peak = peakRss(process.pid)
  const answers = await Promise.all(['blur', 'em', 'embedded', 'embeds-some', 'unmeasurable'].map(async name => await upload(app, join(dir, `${name}.svg`), `${name}.svg`, 'image/svg+xml')))
  const bytes = peak()
  t.ok(bytes < 1024 ** 3, `peak ${Math.round(bytes / 1024 ** 2)} MB, all five at once, the test process included`)
  const [blurred, ems, embedded, some, unmeasurable] = answers
  t.equal(blurred.statusCode, 200, blurred.body.message)
  t.match(identify(join(config.incomingFolder, blurred.body.filename.replace('.svg', 'BI.jpg'))), { format: 'JPEG', width: 1500, height: 1500 })
  t.equal(ems.statusCode, 200, ems.body.message)
  t.match(identify(join(config.incomingFolder, ems.body.filename.replace('.svg', 'BI.jpg'))), { width: 1500, height: 1000 })
  t.same([embedded.statusCode, embedded.body.message], [400, 'Image too large: the SVG embeds images of 81000000 pixels in all, over 64000000.'])
  t.equal(some.statusCode, 200, some.body.message)
  t.same([unmeasurable.statusCode, unmeasurable.body.message], [400, 'Unsafe SVG: an embedded image that cannot be measured.'])
})
