/**
 * The shape of an error from the generated (ajv standalone, verbose) validator. Declared here so
 * the published types do not depend on ajv, which is a build-time tool only.
 */
export interface ErrorObject {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  params: Record<string, unknown>;
  message?: string;
  schema?: unknown;
  parentSchema?: Record<string, unknown>;
  data?: unknown;
}
