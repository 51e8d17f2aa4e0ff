-- Written by hand: PostgreSQL's twin of prisma/migrations/20261203_serving_change (the table is
-- 0003_serving_change_table, generated from the schema). Per-shop change counters bumped on every write to the
-- rows a serving snapshot is built from. SQLite bumps once per row; here a statement-level trigger
-- with transition tables bumps once per statement and shop (a 1,000-row INSERT is one bump, not
-- 1,000): the counter only has to change, and the freshness check compares it for equality.
CREATE OR REPLACE FUNCTION facet_serving_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  col text := TG_ARGV[0];
  cond text := CASE WHEN TG_ARGV[1] = 'published' THEN ' WHERE status = ''published''' ELSE '' END;
  src text;
BEGIN
  IF TG_OP = 'INSERT' THEN src := 'SELECT shop FROM facet_new' || cond;
  ELSIF TG_OP = 'DELETE' THEN src := 'SELECT shop FROM facet_old' || cond;
  ELSE src := 'SELECT shop FROM facet_new' || cond || ' UNION SELECT shop FROM facet_old' || cond;
  END IF;
  EXECUTE format('INSERT INTO "ServingChange" (shop, %1$I) SELECT DISTINCT shop, 1 FROM (%2$s) AS changed '
                 'ON CONFLICT (shop) DO UPDATE SET %1$I = "ServingChange".%1$I + 1', col, src);
  RETURN NULL;
END $$;

DO $$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT * FROM (VALUES ('ModelVersion', 'models', 'published'), ('Setting', 'settings', ''), ('Product', 'catalog', ''),
                                 ('ProductEmbedding', 'vectors', ''), ('Customer', 'customers', ''), ('Interaction', 'interactions', ''),
                                 ('Order', 'orders', '')) AS v(tbl, col, cond) LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS facet_new FOR EACH STATEMENT EXECUTE FUNCTION facet_serving_change(%L, %L)',
                   'ServingChange_' || t.tbl || '_insert', t.tbl, t.col, t.cond);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS facet_old NEW TABLE AS facet_new FOR EACH STATEMENT EXECUTE FUNCTION facet_serving_change(%L, %L)',
                   'ServingChange_' || t.tbl || '_update', t.tbl, t.col, t.cond);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS facet_old FOR EACH STATEMENT EXECUTE FUNCTION facet_serving_change(%L, %L)',
                   'ServingChange_' || t.tbl || '_delete', t.tbl, t.col, t.cond);
  END LOOP;
END $$;
