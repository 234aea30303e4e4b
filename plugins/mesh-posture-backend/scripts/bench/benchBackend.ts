/*
 * The backend the benchmark measures the entity page on: the catalog, the
 * Kubernetes plugin and Mesh Posture (no demo module), configured by the
 * benchmark's --config file. Started by scripts/bench/entityPage.ts.
 */
import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@backstage/plugin-kubernetes-backend'));
backend.add(import('../../src'));
backend.start();
