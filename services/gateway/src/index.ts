import { createServiceShell, runMain } from '@pi/service';
import { backendHealth } from './backends.js';
import { loadConfig } from './config.js';
import { addReflection } from './grpc/reflection.js';
import { apiRouter } from './routes/api.js';
import { serveDashboard } from './routes/static.js';

const NAME = 'gateway';

runMain(NAME, {
  // The gateway keeps no tables of its own yet; the command exists so every service migrates alike.
  migrate: async () => 'exit',
  serve: async () => {
    const config = loadConfig();
    const shell = createServiceShell(NAME, config, []);
    addReflection(shell.grpc);

    const backends = backendHealth(config);
    Object.assign(shell.readiness, backends.checks);
    shell.onShutdown.push(async () => backends.close());

    shell.app.use('/api', apiRouter([]));
    serveDashboard(shell.app, config.WEB_DIR);
    await shell.start();
  },
});
