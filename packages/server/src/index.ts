export { startServer, openStore, VERSION, type Server } from './main.js';
export { loadConfig, type Config, ConfigError, CONFIG_KEYS } from './config/config.js';
export { buildApp, type AppDeps } from './api/build-app.js';
export type { Store } from './store/store.js';
export { ERROR_REGISTRY, AppError, type ErrorCode } from './domain/errors.js';
export { SANDBOX_RULES } from './delivery/providers/sandbox/sandbox-behaviour.js';
