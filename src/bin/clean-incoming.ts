#!/usr/bin/env node
import { main } from '../cli/clean-incoming.js'
import { runCommand } from '../cli/run-command.js'
await runCommand(main)
