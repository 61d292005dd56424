/** `node --import ./tests/helpers/module-log.mjs …`: registers module-log-hook.mjs before anything else loads. */
import { register } from 'node:module'

register('./module-log-hook.mjs', import.meta.url)
