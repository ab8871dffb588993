// Loaded by tap into each test process (node-arg in .taprc): see compiled-src-hooks.mjs.
import { register } from 'node:module'

register('./compiled-src-hooks.mjs', import.meta.url)
