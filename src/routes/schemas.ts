import { Type, type TString } from '@sinclair/typebox'
import { keyPattern } from '../keys.js'

/** An image key: the only kind of name the protected routes take. */
export const ImageKey = (suffixes: string[]): TString =>
  Type.String({ pattern: keyPattern(suffixes), description: 'An image key, such as 1732790000_0123456789.jpg' })

export const Secret = Type.String({ description: 'The shared secret, API_SECRET_KEY' })

export const Success = Type.Object({ success: Type.Literal(true) })
