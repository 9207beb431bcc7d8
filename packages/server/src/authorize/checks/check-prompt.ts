import { TesseraError } from '../../shared/errors.js'
import { PROMPTS, type Prompt } from '../authorization-request.js'
import type { RequestValues } from './request-values.js'

/** OIDC Core §3.1.2.1: prompt is a space-delimited list in which none stands alone; max_age is whole seconds. */
export function checkPrompt(values: RequestValues): { prompt: Prompt[]; maxAge: number | null } {
  const prompt = (values.get('prompt')?.split(' ') ?? []).filter((each) => each !== '')
  if (prompt.some((each) => !(PROMPTS as readonly string[]).includes(each)))
    throw new TesseraError('invalid_request', { detail: 'prompt may hold none, login and consent' })
  if (prompt.includes('none') && prompt.length > 1) throw new TesseraError('invalid_request', { detail: 'prompt=none cannot be combined' })
  const maxAge = values.get('max_age')
  if (maxAge !== undefined && !/^[0-9]{1,9}$/.test(maxAge))
    throw new TesseraError('invalid_request', { detail: 'max_age must be a number of seconds' })
  return { prompt: [...new Set(prompt)] as Prompt[], maxAge: maxAge !== undefined ? Number(maxAge) : null }
}
