/**
 * Offline evaluation results, saved per model version (the Evaluation table), and the tuner's
 * proposal (the Setting row "recommend.proposal") for the merchant to accept or dismiss.
 * Accepting writes the proposal's overrides into the shop's settings through the settings model
 * (app/models/settings.server.ts, the hybrid engineer's); this file only keeps the proposal's status.
 */
import { prisma } from "../db.server";
import { publishedModelVersion } from "./modelVersion.server";
import type { TuningProposal } from "../recommend/eval/tuning";
import { settingRow, writeSetting } from "./setting.server";

export const PROPOSAL_KEY = "recommend.proposal";

export interface SavedEvaluation<R = unknown> {
  id: number;
  shop: string;
  modelVersionId: number | null;
  split: string;
  k: number;
  createdAt: Date;
  result: R;
}

/** The shop's published model version id, the one an evaluation is filed under (null before the first training). */
export async function currentModelVersionId(shop: string): Promise<number | null> {
  return (await publishedModelVersion(shop))?.id ?? null;
}

export async function saveEvaluation(
  shop: string,
  e: { modelVersionId: number | null; split: string; k: number; result: unknown },
): Promise<number> {
  const row = await prisma().evaluation.create({
    data: { shop, modelVersionId: e.modelVersionId, split: e.split, k: e.k, result: JSON.stringify(e.result) },
    select: { id: true },
  });
  return row.id;
}

function parse<R>(row: { id: number; shop: string; modelVersionId: number | null; split: string; k: number; createdAt: Date; result: string }): SavedEvaluation<R> {
  return { ...row, result: JSON.parse(row.result) as R };
}

/** The newest evaluation of a shop, optionally of one model version. */
export async function latestEvaluation<R = unknown>(shop: string, opts: { modelVersionId?: number | null } = {}): Promise<SavedEvaluation<R> | null> {
  const row = await prisma().evaluation.findFirst({
    where: { shop, ...(opts.modelVersionId !== undefined ? { modelVersionId: opts.modelVersionId } : {}) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
  return row ? parse<R>(row) : null;
}

export async function getEvaluation<R = unknown>(shop: string, id: number): Promise<SavedEvaluation<R> | null> {
  const row = await prisma().evaluation.findFirst({ where: { shop, id } });
  return row ? parse<R>(row) : null;
}

/** The shop's evaluations, newest first (results included: they are small JSON documents). */
export async function listEvaluations<R = unknown>(shop: string, take = 20): Promise<SavedEvaluation<R>[]> {
  const rows = await prisma().evaluation.findMany({ where: { shop }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take });
  return rows.map((r) => parse<R>(r));
}

export async function saveProposal(shop: string, proposal: TuningProposal): Promise<void> {
  writeSetting(shop, PROPOSAL_KEY, proposal);
}

export async function loadProposal(shop: string): Promise<TuningProposal | null> {
  const row = settingRow(shop, PROPOSAL_KEY);
  return row ? (JSON.parse(row.value) as TuningProposal) : null;
}

/** Marks the stored proposal accepted or dismissed (the settings change itself is the settings model's). */
export async function setProposalStatus(shop: string, status: TuningProposal["status"]): Promise<TuningProposal | null> {
  const p = await loadProposal(shop);
  if (!p) return null;
  const next = { ...p, status };
  await saveProposal(shop, next);
  return next;
}
