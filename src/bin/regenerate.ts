#!/usr/bin/env node
import { main } from '../cli/regenerate.js'
import { runCommand } from '../cli/run-command.js'
await runCommand(main)
