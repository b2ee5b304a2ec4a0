export * from './build-app.js';
export * from './error-handler.js';
export * from './http-status.js';
export { builtDashboardDirectory, dashboardAvailable } from './routes/dashboard-routes.js';
