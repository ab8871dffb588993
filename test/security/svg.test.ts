import { execFileSync } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'
import t from 'tap'
import { DEFAULT_RESIZING } from '../../src/config/resizing.js'
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
  'laughs.svg': [svg('<text y="20">&lol2;</text>', '<!DOCTYPE svg [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'), /DTD internal subset/],
  'public-entity.svg': [svg('<text y="20">&x;</text>', '<!DOCTYPE svg [<!ENTITY x PUBLIC "-//X//Y" "http://127.0.0.1:PORT/x.ent">]>'), /DTD internal subset/],
  'parameter-entity.svg': [svg('', '<!DOCTYPE svg [<!ENTITY % p SYSTEM "http://127.0.0.1:PORT/p.dtd"> %p;]>'), /DTD internal subset/],
  'markup-in-entity.svg': [svg('<g>&m;</g>', '<!DOCTYPE svg [<!ENTITY m "<script>alert(1)</script>">]>'), /DTD internal subset/],
  'char-ref-entity.svg': [svg('<g>&m;</g>', '<!DOCTYPE svg [<!ENTITY m "&#60;script&#62;">]>'), /DTD internal subset/],
  'attlist.svg': [svg('', '<!DOCTYPE svg [<!ENTITY a "x"><!ATTLIST svg onload CDATA "alert(1)">]>'), /DTD internal subset/],
  'too-many-entities.svg': [svg('', `<!DOCTYPE svg [${Array.from({ length: 65 }, (_, i) => `<!ENTITY e${i} "v">`).join('')}]>`), /DTD internal subset/],
  'long-entity.svg': [svg('<text y="20">&long;</text>', `<!DOCTYPE svg [<!ENTITY long "${'x'.repeat(1025)}">]>`), /DTD internal subset/],
  'expansion-past-bound.svg': [svg(`<text y="20">${'&k;'.repeat(1100)}</text>`, `<!DOCTYPE svg [<!ENTITY k "${'k'.repeat(1000)}">]>`), /DTD internal subset/]
}

// What Adobe Illustrator writes into every SVG it exports: namespace URLs as entities of an internal subset.
const ILLUSTRATOR = `<?xml version="1.0" encoding="utf-8"?>
<!-- Generator: Adobe Illustrator 16.0.0, SVG Export Plug-In . SVG Version: 6.00 Build 0)  -->
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://127.0.0.1:PORT/Graphics/SVG/1.1/DTD/svg11.dtd" [
\t<!ENTITY ns_extend "http://ns.adobe.com/Extensibility/1.0/">
\t<!ENTITY ns_ai "http://ns.adobe.com/AdobeIllustrator/10.0/">
\t<!ENTITY ns_graphs "http://ns.adobe.com/Graphs/1.0/">
\t<!ENTITY ns_vars "http://ns.adobe.com/Variables/1.0/">
\t<!ENTITY ns_imrep "http://ns.adobe.com/ImageReplacement/1.0/">
\t<!ENTITY ns_sfw "http://ns.adobe.com/SaveForWeb/1.0/">
\t<!ENTITY ns_custom "http://ns.adobe.com/GenericCustomNamespace/1.0/">
\t<!ENTITY ns_adobe_xpath "http://ns.adobe.com/XPath/1.0/">
]>
<svg version="1.1" id="Layer_1" xmlns:x="&ns_extend;" xmlns:i="&ns_ai;" xmlns:graph="&ns_graphs;"
\t xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" x="0px" y="0px" width="300px" height="150px"
\t viewBox="0 0 300 150" enable-background="new 0 0 300 150" xml:space="preserve">
<switch>
\t<g i:extraneous="self">
\t\t<rect fill="#0000FF" width="300" height="150"/>
\t\t<!-- &ns_ai; in a comment stays as written -->
\t\t<text x="10" y="40" font-size="20"><![CDATA[&ns_ai; in CDATA]]></text>
\t</g>
</switch>
</svg>
`

// What Inkscape writes: its own namespaces and metadata, a comment and no DTD.
const INKSCAPE = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- Created with Inkscape (http://www.inkscape.org/) -->

<svg width="120mm" height="60mm" viewBox="0 0 120 60" version="1.1" id="svg5"
   inkscape:version="1.2.2 (b0a8486541, 2022-12-01)" sodipodi:docname="drawing.svg"
   xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
   xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
   xmlns="http://www.w3.org/2000/svg" xmlns:svg="http://www.w3.org/2000/svg">
  <sodipodi:namedview id="namedview7" pagecolor="#ffffff" bordercolor="#000000" inkscape:pageshadow="2" inkscape:document-units="mm" />
  <defs id="defs2" />
  <g inkscape:label="Layer 1" inkscape:groupmode="layer" id="layer1">
    <rect style="fill:#00ff00;stroke-width:0.26" id="rect1" width="120" height="60" x="0" y="0" />
  </g>
</svg>
`

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
    t.match(body, /^Unsafe SVG: /, name)
    t.match(body, why, name)
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
  t.equal(statusCode, 200, body)
  t.ok(existsSync(join(config.incomingFolder, body.filename)))
})

t.test('SVGs as Illustrator and Inkscape write them upload and get thumbnails; Illustrator\'s entities expanded, its DTD gone, nothing fetched', async t => {
  const { port, requests } = await recordingServer(t)
  const { app, config } = await testApp(t)
  const dir = t.testdir({ 'illustrator.svg': ILLUSTRATOR.replaceAll('PORT', String(port)), 'inkscape.svg': INKSCAPE })
  const drawn = await upload(app, join(dir, 'illustrator.svg'), 'illustrator.svg', 'image/svg+xml')
  t.equal(drawn.statusCode, 200, drawn.body)
  const stored = readFileSync(join(config.incomingFolder, drawn.body.filename), 'utf8')
  t.notMatch(stored, /<!DOCTYPE|<!ENTITY/, 'the DTD is gone')
  t.match(stored, 'xmlns:i="http://ns.adobe.com/AdobeIllustrator/10.0/" xmlns:graph="http://ns.adobe.com/Graphs/1.0/"', 'its entities expanded')
  t.match(stored, '<!-- &ns_ai; in a comment stays as written -->')
  t.match(stored, '<![CDATA[&ns_ai; in CDATA]]>')
  t.match(stored, /^<\?xml version="1.0" encoding="utf-8"\?>\n<!-- Generator: Adobe Illustrator/)
  const sketched = await upload(app, join(dir, 'inkscape.svg'), 'inkscape.svg', 'image/svg+xml')
  t.equal(sketched.statusCode, 200, sketched.body)
  t.equal(readFileSync(join(config.incomingFolder, sketched.body.filename), 'utf8'), INKSCAPE, 'stored as sent')
  // MI fits 400×400: Illustrator's 300×150 px as they are, Inkscape's 120×60 mm (454×227 px) made smaller.
  t.match(identify(join(config.incomingFolder, drawn.body.filename.replace('.svg', 'MI.jpg'))), { format: 'JPEG', width: 300, height: 150 })
  t.match(identify(join(config.incomingFolder, sketched.body.filename.replace('.svg', 'MI.jpg'))), { format: 'JPEG', width: 400, height: 200 })
  // 64 entities of 1 KiB: a subset far past the 4 KiB head the format is told from.
  const most = Array.from({ length: 64 }, (_, i) => `<!ENTITY e${i} "${String(i % 10).repeat(1024)}">`).join('\n')
  writeFileSync(join(dir, 'most.svg'), svg('<text y="20" id="&e63;">&e0;</text>', `<!DOCTYPE svg [\n${most}\n]>`))
  const bounded = await upload(app, join(dir, 'most.svg'), 'most.svg', 'image/svg+xml')
  t.equal(bounded.statusCode, 200, bounded.body)
  t.match(readFileSync(join(config.incomingFolder, bounded.body.filename), 'utf8'), `<text y="20" id="${'3'.repeat(1024)}">${'0'.repeat(1024)}</text>`)
  t.same(requests, [], 'the DTD named is never fetched')
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
  t.match(body, /^SVG size "wide" is not in a unit it can be rendered in/)
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
  t.equal(body, 'Image too large: 100000×100000 px, over 16384 px a side.')
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
  t.equal(blurred.statusCode, 200, blurred.body)
  t.match(identify(join(config.incomingFolder, blurred.body.filename.replace('.svg', 'BI.jpg'))), { format: 'JPEG', width: 1500, height: 1500 })
  t.equal(ems.statusCode, 200, ems.body)
  t.match(identify(join(config.incomingFolder, ems.body.filename.replace('.svg', 'BI.jpg'))), { width: 1500, height: 1000 })
  t.same([embedded.statusCode, embedded.body], [400, 'Image too large: the SVG embeds images of 81000000 pixels in all, over 64000000.'])
  t.equal(some.statusCode, 200, some.body)
  t.same([unmeasurable.statusCode, unmeasurable.body], [400, 'Unsafe SVG: an embedded image that cannot be measured.'])
})
