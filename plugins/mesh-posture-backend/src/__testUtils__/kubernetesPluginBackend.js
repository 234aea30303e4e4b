/*
 * A real Backstage backend running only the Kubernetes plugin, for tests of
 * sources that reach clusters through it. Started as a child process (plain
 * Node, so the plugin's ESM dependencies load as in production) with a config
 * file: node kubernetesPluginBackend.js --config <app-config.yaml>
 */
'use strict';

const { createBackend } = require('@backstage/backend-defaults');
const kubernetesPlugin = require('@backstage/plugin-kubernetes-backend');

const backend = createBackend();
backend.add(kubernetesPlugin.default);
backend.start();
