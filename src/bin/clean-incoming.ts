import { main } from '../cli/clean-incoming.js'
process.exitCode = await main(process.argv.slice(2), process.env, process)
