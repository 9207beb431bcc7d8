import type { AjvCompiler } from '@fastify/ajv-compiler'
import type { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import { requireOnFirstUse } from '../shared/load-once.js'

/**
 * Fastify's own schema compilers (Ajv for what comes in, fast-json-stringify for what goes out),
 * each route's schema compiled on its first request instead of at start-up.
 *
 * Why: compiling the schemas of every route was about 40 % of the CPU time from spawn to the first
 * 200 (a profile of `tessera start`, docs/architecture.md "Start-up"), and the generated code
 * stays in the heap for routes a deployment may never serve. A route pays its compilation once,
 * on its first request (a few milliseconds). Validation and serialization are unchanged: the
 * same libraries with the same options; `compileAll` compiles everything at once, which the tests
 * use to prove that every schema compiles. The libraries themselves (Ajv, its formats,
 * fast-json-stringify: ~100 modules, ~1 MB of heap) load with the first compilation, so a server
 * whose requests carry no schema (a health check) never loads them (docs/architecture.md §9).
 */
export interface LazySchemaCompilers {
  buildValidator: ReturnType<typeof AjvCompiler>
  buildSerializer: ReturnType<typeof SerializerSelector>
  /** Compiles every schema not compiled yet and says how many; throws what the first failing compilation threw. */
  compileAll(): number
  /** How many compilations are still deferred. */
  pending(): number
}

type Validate = ((data: unknown) => unknown) & { errors?: unknown }

/** How the compilers' libraries load: on first use by default; a test injects a failing one. */
export interface SchemaCompilerLibraries {
  ajvCompiler(): typeof AjvCompiler
  serializerSelector(): typeof SerializerSelector
}

const ajvCompilerModule = requireOnFirstUse<{ AjvCompiler: typeof AjvCompiler }>('@fastify/ajv-compiler')
const serializerModule = requireOnFirstUse<{ SerializerSelector: typeof SerializerSelector }>('@fastify/fast-json-stringify-compiler')
const FIRST_USE: SchemaCompilerLibraries = {
  ajvCompiler: () => ajvCompilerModule().AjvCompiler,
  serializerSelector: () => serializerModule().SerializerSelector,
}

export function lazySchemaCompilers(libraries: SchemaCompilerLibraries = FIRST_USE): LazySchemaCompilers {
  const pending = new Set<() => unknown>()

  /** `compile` once, on the first call of the returned function or in compileAll. */
  function deferred<F>(compile: () => F): () => F {
    let compiled: F | undefined
    const get = () => {
      if (compiled === undefined) {
        compiled = compile()
        pending.delete(get)
      }
      return compiled
    }
    pending.add(get)
    return get
  }

  let validatorFactory: ReturnType<typeof AjvCompiler> | undefined
  let serializerFactory: ReturnType<typeof SerializerSelector> | undefined
  const eagerValidator: ReturnType<typeof AjvCompiler> = (externalSchemas, options) => {
    validatorFactory ??= libraries.ajvCompiler()()
    return validatorFactory(externalSchemas, options)
  }
  const eagerSerializer: ReturnType<typeof SerializerSelector> = (externalSchemas, options) => {
    serializerFactory ??= libraries.serializerSelector()()
    return serializerFactory(externalSchemas, options)
  }

  const buildValidator = ((externalSchemas, options) => {
    const compiler = deferred(() => eagerValidator(externalSchemas, options))
    return (route: Parameters<ReturnType<typeof eagerValidator>>[0] & { httpPart?: string }) => {
      // With a compiler of its own, Fastify no longer lower-cases header schemas' keys: refuse
      // them here, at start-up, rather than validate headers differently from Fastify's default.
      if (route.httpPart === 'headers') throw new Error('header schemas are not supported (http/lazy-schema-compilers.ts)')
      const validator = deferred(() => compiler()(route) as Validate)
      // Fastify reads a failed validation's errors from the function's `errors` property (Ajv's way).
      const validate: Validate = (data) => {
        const compiled = validator()
        const valid = compiled(data)
        validate.errors = compiled.errors
        return valid
      }
      return validate
    }
  }) as LazySchemaCompilers['buildValidator']

  const buildSerializer = ((externalSchemas, options) => {
    const compiler = deferred(() => eagerSerializer(externalSchemas, options))
    return (route: Parameters<ReturnType<typeof eagerSerializer>>[0]) => {
      const serializer = deferred(() => compiler()(route))
      return (data: unknown) => serializer()(data)
    }
  }) as LazySchemaCompilers['buildSerializer']

  return {
    buildValidator,
    buildSerializer,
    compileAll() {
      const all = [...pending]
      for (const compile of all) compile()
      return all.length
    },
    pending: () => pending.size,
  }
}
