import { main } from '../cli/regenerate.js'
process.exitCode = await main(process.argv.slice(2), process.env, process)
