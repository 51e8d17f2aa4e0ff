/** With Redis, a scheduled campaign gets a BullMQ job scheduler on the campaign queue; removing the schedule removes it. */
import { afterAll, expect, it } from "vitest";
import { Queue } from "bullmq";
import { useTempDatabase } from "../helpers/db";
import { describeIf, redisReachable } from "../helpers/requires";
import { campaignSchedulerId, syncCampaignScheduler } from "../../app/campaigns/campaigns.server";
import { queueName, redisConnection } from "../../app/queues/bullmq.server";

useTempDatabase();
const URL_ = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const PREFIX = `facet-test-campaign-${process.pid}`;
const redisUp = await redisReachable(URL_);

describeIf(redisUp, "Redis on 127.0.0.1:6379", "campaign schedules on BullMQ", () => {
  const connection = redisUp ? redisConnection(URL_) : null;
  afterAll(async () => {
    if (!connection) return;
    const keys = await connection.keys(`${PREFIX}:*`);
    if (keys.length) await connection.del(...keys);
    await connection.quit();
  });

  it("registers a repeatable campaign job per scheduled campaign, and removes it", async () => {
    const row = { shop: "sched.myshopify.com", id: "cmp_test1", schedule: "weekly" as const };
    expect(await syncCampaignScheduler(row, PREFIX, URL_)).toBe(true);
    const q = new Queue(queueName("campaign"), { connection: connection!.duplicate(), prefix: PREFIX });
    try {
      const s = await q.getJobScheduler(campaignSchedulerId(row));
      expect(s).toMatchObject({ every: 7 * 86_400_000, name: "campaign" });
      expect((await q.getJobSchedulers()).length).toBe(1);
      await syncCampaignScheduler({ ...row, schedule: null }, PREFIX, URL_);
      expect((await q.getJobSchedulers()).length).toBe(0);
    } finally {
      await q.close();
    }
  });
});
