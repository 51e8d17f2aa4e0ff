/**
 * Vitest setup file: the tests call routes, jobs and the CLI's commands in-process, so they stand
 * where the entry points stand (app/entry.server.tsx, app/cli/main.ts) and give the in-process
 * queue its job registry.
 */
import { jobFunction } from "../../app/jobs/registry.server";
import { provideJobs } from "../../app/queues/index.server";

provideJobs(jobFunction);
