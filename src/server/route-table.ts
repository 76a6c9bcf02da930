/**
 * Every route of `cioc serve`, in registration order: the server registers them, the OpenAPI
 * document lists them (`/api/openapi.json` reads the table it is given), tests check their schemas.
 */
import type { RouteDef } from './route.js';
import { authenticationRoutes } from './routes/authentications.js';
import { catalogueRoutes } from './routes/catalogue.js';
import { consoleConfigRoutes } from './routes/console-config.js';
import { hookRoutes } from './routes/hooks.js';
import { memberRoutes } from './routes/members.js';
import { sessionRoutes } from './routes/session.js';
import { systemRoutes } from './routes/system.js';
import { tokenRoutes } from './routes/tokens.js';
import { workflowRoutes } from './routes/workflows.js';

export function routeTable(): RouteDef[] {
  const routes: RouteDef[] = [];
  routes.push(
    // The system routes serve the OpenAPI document of the whole table, this one included.
    ...systemRoutes(() => routes),
    ...consoleConfigRoutes,
    ...sessionRoutes,
    ...memberRoutes,
    ...tokenRoutes,
    ...workflowRoutes,
    ...catalogueRoutes,
    ...authenticationRoutes,
    ...hookRoutes,
  );
  return routes;
}
