/** What the README's generated tables are rendered from. */
export interface TableSources {
  CONFIG_KEYS: Record<
    string,
    { readonly env: string; readonly flag?: string; readonly default?: string; readonly description: string }
  >;
  SANDBOX_RULES: readonly { suffix: string | null; description: string }[];
  ERROR_REGISTRY: Record<string, { status: number; errorCode: number | null; summary: string }>;
  /** The official SDK's methods (`sdkMethods` of scripts/docs/sdk-methods.mjs). */
  SDK_METHODS?: readonly string[];
  /** Tapback's routes (`routesFromOpenApi` of its OpenAPI document). */
  ROUTES?: readonly ApiRoute[];
}
export interface ApiRoute {
  operationId: string;
  method: string;
  path: string;
  summary: string;
}
export function routesFromOpenApi(document: unknown): ApiRoute[];
export function generatedTables(sources: TableSources): Record<string, () => string>;
export function renderGeneratedRegions(text: string, sources: TableSources): string;
