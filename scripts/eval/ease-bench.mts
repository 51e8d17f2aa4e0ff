/** `npx tsx scripts/eval/ease-bench.mts [sizes...]`: seconds of the dense EASE inverse (app/recommend/cf/ease.ts) per catalogue size. */
import { invertSpd } from "../../app/recommend/cf/ease";
const sizes = process.argv.slice(2).map(Number);
for (const n of sizes.length ? sizes : [500, 1000, 2000]) {
  const a = new Float64Array(n * n);
  let s = 1;
  const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) { const v = rnd() < 0.02 ? 1 : 0; a[i * n + j] += v; }
  for (let i = 0; i < n; i++) a[i * n + i] += 200;
  const t = performance.now();
  invertSpd(a, n);
  console.log(`n=${n}: ${((performance.now() - t) / 1000).toFixed(2)} s, ${(16 * n * n / 2 ** 20).toFixed(0)} MB`);
}
