/** The PostgreSQL store's schema, as numbered migrations applied once, under an advisory lock, on open. */
import type pg from 'pg'
import { StoreError } from '../../model/errors.js'
import { WORD_SIG_BITS, wordSignature } from './word-signature.js'

export interface Migration {
  version: number
  name: string
  sql: string
  /** A step after `sql`, in the same transaction, for what SQL cannot compute (this code's hashes). */
  run?: (client: pg.PoolClient) => Promise<void>
}

/**
 * Every migration, oldest first; append, never edit one that shipped. Items keep the whole Item
 * as `json` (not `jsonb`: `json` keeps any text the item holds, `\u0000` included) beside the
 * columns queries filter and order on. `published` is epoch ms ({@link UNDATED} when the date
 * cannot be read); `search_text` is query.ts `searchTextOf` (in `item_search` since migration 10),
 * and `words` its distinct words, the GIN-indexed pre-filter of `q`. Ids and keys sort as JS compares strings (`COLLATE "C"`).
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'items, states, verdicts',
    sql: `
      CREATE TABLE items (
        id text COLLATE "C" PRIMARY KEY,
        source_id text COLLATE "C" NOT NULL,
        cluster_id text COLLATE "C" NOT NULL,
        canonical_url text,
        published bigint NOT NULL,
        fetched bigint NOT NULL,
        language text,
        topics text[] NOT NULL,
        search_text text NOT NULL,
        words text[] NOT NULL,
        doc json NOT NULL
      );
      CREATE INDEX items_order ON items (published DESC, id DESC);
      CREATE INDEX items_source_order ON items (source_id, published DESC, id DESC);
      CREATE INDEX items_cluster ON items (cluster_id);
      CREATE INDEX items_canonical ON items (source_id, canonical_url) WHERE canonical_url IS NOT NULL;
      CREATE INDEX items_fetched ON items (fetched);
      CREATE INDEX items_topics ON items USING gin (topics);
      CREATE INDEX items_words ON items USING gin (words);
      CREATE TABLE states (
        source_id text COLLATE "C" PRIMARY KEY,
        next_poll bigint NOT NULL,
        gone boolean NOT NULL DEFAULT false,
        lease_until bigint,
        holder text,
        doc json NOT NULL
      );
      CREATE TABLE verdicts (
        topic_id text COLLATE "C" NOT NULL,
        item_id text COLLATE "C" NOT NULL,
        doc json NOT NULL,
        PRIMARY KEY (topic_id, item_id)
      );
    `,
  },
  {
    version: 2,
    name: 'content hashes; the newest-first index covers what a page walk reads',
    // A poll compares content hashes without reading documents; a page walk (topics, language,
    // story) reads the index alone, so filtering on a topic costs no row fetches. lz4 (where the
    // server has it, PostgreSQL 14+) compresses the large columns at a fraction of pglz's cost
    // to every write; rows already stored keep theirs.
    sql: `
      DO $$ BEGIN
        EXECUTE 'ALTER TABLE items ALTER COLUMN doc SET COMPRESSION lz4,
          ALTER COLUMN search_text SET COMPRESSION lz4, ALTER COLUMN words SET COMPRESSION lz4';
      EXCEPTION WHEN feature_not_supported OR syntax_error THEN NULL;
      END $$;
      ALTER TABLE items ADD COLUMN content_hash text;
      UPDATE items SET content_hash = doc->>'contentHash';
      ALTER TABLE items ALTER COLUMN content_hash SET NOT NULL;
      CREATE INDEX items_walk ON items (published DESC, id DESC)
        INCLUDE (source_id, cluster_id, language, topics);
      DROP INDEX items_order;
    `,
  },
  {
    // The shared version: one counter row, bumped (and so row-locked) by each visible change at
    // the end of its transaction, so versions are taken in commit order and every replica that
    // saw the same notices holds the same number. `stored_seq` is the version that last wrote an
    // item: a replica catching up reads only the rows past the last version it read.
    version: 3,
    name: 'shared version, stored_seq',
    sql: `
      CREATE TABLE topicwire_version (
        one boolean PRIMARY KEY DEFAULT true CHECK (one),
        v bigint NOT NULL
      );
      INSERT INTO topicwire_version (one, v) VALUES (true, 0);
      ALTER TABLE items ADD COLUMN stored_seq bigint NOT NULL DEFAULT 0;
      CREATE INDEX items_stored_seq ON items (stored_seq, id);
    `,
  },
  {
    // Facts about the whole store: the fingerprint of the rules every item was tagged under
    // (a replica starting with the same rules skips the re-tag of every row).
    version: 4,
    name: 'store facts',
    sql: `
      CREATE TABLE topicwire_facts (
        name text PRIMARY KEY,
        value text NOT NULL
      );
    `,
  },
  {
    // A collapsed page reads the members of its stories: with the columns it reads in the story
    // index, that read is index-only too (no heap page per member). The new index is built before the old one is dropped, so readers always have one.
    version: 5,
    name: 'the story index covers what a page reads of story members',
    sql: `
      CREATE INDEX items_cluster_walk ON items (cluster_id)
        INCLUDE (id, source_id, published, language, topics);
      DROP INDEX items_cluster;
    `,
  },
  {
    // A `q` walk tested each row's `words` (out of line, a few KB): a detoast per row walked. A
    // signature of the words (word-signature.ts) in an index of the walk order lets it skip
    // rows without a word it needs on the index alone; rows it keeps are still judged on their
    // text. The column is added empty (no table rewrite), filled from each row's words here in
    // batches (the hash is this code's, see `run`), then required and indexed.
    version: 6,
    name: 'word signature in an index of the walk order, for q',
    sql: `ALTER TABLE items ADD COLUMN word_sig bit(${WORD_SIG_BITS})`,
    run: async (client) => {
      let after = ''
      for (;;) {
        const { rows } = await client.query<{ id: string; words: string[] }>(
          'SELECT id, words FROM items WHERE id > $1 ORDER BY id LIMIT 2000',
          [after],
        )
        if (rows.length === 0) break
        await client.query(
          `UPDATE items SET word_sig = s.sig::bit(${WORD_SIG_BITS})
           FROM unnest($1::text[], $2::text[]) AS s(id, sig) WHERE items.id = s.id`,
          [rows.map((r) => r.id), rows.map((r) => wordSignature(r.words))],
        )
        after = rows.at(-1)!.id
      }
      await client.query(`ALTER TABLE items ALTER COLUMN word_sig SET NOT NULL;
        CREATE INDEX items_walk_sig ON items (published DESC, id DESC)
          INCLUDE (source_id, cluster_id, language, topics, word_sig)`)
    },
  },
  {
    // A page read each shown document out of line (TOAST: its index and chunk besides the row,
    // twice the buffers of the row alone) while the row kept the search text inline. The
    // document is now the last column moved out of a row that is too large, and a row may hold
    // 4,000 bytes before anything moves: a document of a few KB stays in its row beside the
    // search text (`words`, read only by a rare-word walk, goes out first). Rows written from
    // now on are stored so; older rows keep their layout until rewritten (README: Running at scale).
    version: 7,
    name: 'documents stay in their rows when they fit',
    sql: 'ALTER TABLE items ALTER COLUMN doc SET STORAGE MAIN, SET (toast_tuple_target = 4000)',
  },
  {
    // A topic's page walked the newest-first index of every item and skipped those without the
    // topic (about 2,500 index entries for a page of 50 when a topic holds one item in 17).
    // `item_topics` holds one row per item and topic with what a page walk reads, in the walk's
    // order per topic, kept by triggers on `items` in the writing transaction, so every writer
    // (polls, re-tags, retention, `store migrate`, older replicas still running) keeps it exact.
    // The items table is locked against writes first, so the copy misses none.
    version: 8,
    name: 'item_topics: a walk order per topic, kept by triggers',
    sql: `
      LOCK TABLE items IN SHARE ROW EXCLUSIVE MODE;
      CREATE TABLE item_topics (
        topic text COLLATE "C" NOT NULL,
        published bigint NOT NULL,
        id text COLLATE "C" NOT NULL,
        source_id text COLLATE "C" NOT NULL,
        cluster_id text COLLATE "C" NOT NULL,
        language text,
        topics text[] NOT NULL
      );
      CREATE FUNCTION topicwire_item_topics() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'INSERT' THEN
          DELETE FROM item_topics
            WHERE topic = ANY(OLD.topics) AND published = OLD.published AND id = OLD.id;
        END IF;
        IF TG_OP <> 'DELETE' THEN
          INSERT INTO item_topics (topic, published, id, source_id, cluster_id, language, topics)
            SELECT DISTINCT t, NEW.published, NEW.id, NEW.source_id, NEW.cluster_id, NEW.language,
              NEW.topics
            FROM unnest(NEW.topics) AS t;
        END IF;
        RETURN NULL;
      END $$;
      CREATE FUNCTION topicwire_item_topics_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        TRUNCATE item_topics;
        RETURN NULL;
      END $$;
      INSERT INTO item_topics (topic, published, id, source_id, cluster_id, language, topics)
        SELECT DISTINCT t, published, id, source_id, cluster_id, language, topics
        FROM items, unnest(topics) AS t;
      CREATE UNIQUE INDEX item_topics_walk ON item_topics (topic, published DESC, id DESC)
        INCLUDE (source_id, cluster_id, language, topics);
      CREATE TRIGGER item_topics_insert AFTER INSERT ON items FOR EACH ROW
        WHEN (NEW.topics <> '{}') EXECUTE FUNCTION topicwire_item_topics();
      CREATE TRIGGER item_topics_delete AFTER DELETE ON items FOR EACH ROW
        WHEN (OLD.topics <> '{}') EXECUTE FUNCTION topicwire_item_topics();
      CREATE TRIGGER item_topics_update AFTER UPDATE ON items FOR EACH ROW
        WHEN ((OLD.topics <> '{}' OR NEW.topics <> '{}')
          AND (OLD.topics, OLD.published, OLD.source_id, OLD.cluster_id, OLD.language)
          IS DISTINCT FROM (NEW.topics, NEW.published, NEW.source_id, NEW.cluster_id, NEW.language))
        EXECUTE FUNCTION topicwire_item_topics();
      CREATE TRIGGER item_topics_truncate AFTER TRUNCATE ON items
        FOR EACH STATEMENT EXECUTE FUNCTION topicwire_item_topics_truncate();
      ANALYZE item_topics;
    `,
  },
  {
    // A `q` page tests the text of every row it walks and of their stories' members: from
    // `items` each test cost the row (a document of a few KB, two rows to a page) and the text
    // out of line (TOAST: its index and chunk). `item_search` holds what a `q` walk and its
    // members' tests read (the text compressed in its row, several rows to a page), kept by
    // triggers on `items` in the writing transaction like item_topics, with the walk order's
    // index carrying the word signature; items_walk_sig, read by `q` alone, goes. The copy runs
    // in batches in walk order (so rows of the same hours share pages), with writes to items held
    // off meanwhile.
    version: 9,
    name: 'item_search: the search text and signature beside the walk columns, for q',
    sql: `
      LOCK TABLE items IN SHARE ROW EXCLUSIVE MODE;
      CREATE TABLE item_search (
        id text COLLATE "C" PRIMARY KEY,
        published bigint NOT NULL,
        source_id text COLLATE "C" NOT NULL,
        cluster_id text COLLATE "C" NOT NULL,
        language text,
        topics text[] NOT NULL,
        word_sig bit(${WORD_SIG_BITS}) NOT NULL,
        search_text text NOT NULL
      );
      ALTER TABLE item_search ALTER COLUMN search_text SET STORAGE MAIN,
        ALTER COLUMN word_sig SET STORAGE PLAIN;
      DO $$ BEGIN
        EXECUTE 'ALTER TABLE item_search ALTER COLUMN search_text SET COMPRESSION lz4';
      EXCEPTION WHEN feature_not_supported OR syntax_error THEN NULL;
      END $$;
      CREATE FUNCTION topicwire_item_search() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO item_search
            (id, published, source_id, cluster_id, language, topics, word_sig, search_text)
            VALUES (NEW.id, NEW.published, NEW.source_id, NEW.cluster_id, NEW.language,
              NEW.topics, NEW.word_sig, NEW.search_text);
        ELSIF TG_OP = 'UPDATE' THEN
          UPDATE item_search SET id = NEW.id, published = NEW.published,
              source_id = NEW.source_id, cluster_id = NEW.cluster_id, language = NEW.language,
              topics = NEW.topics, word_sig = NEW.word_sig, search_text = NEW.search_text
            WHERE id = OLD.id;
        ELSE
          DELETE FROM item_search WHERE id = OLD.id;
        END IF;
        RETURN NULL;
      END $$;
      CREATE FUNCTION topicwire_item_search_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        TRUNCATE item_search;
        RETURN NULL;
      END $$;
    `,
    run: async (client) => {
      let after: [string, string] | undefined
      for (;;) {
        const { rows } = await client.query<{ published: string | null; id: string | null }>(
          `WITH batch AS (
             SELECT id, published, source_id, cluster_id, language, topics, word_sig, search_text
             FROM items ${after ? 'WHERE (published, id) > ($1::bigint, $2::text)' : ''}
             ORDER BY published, id LIMIT ${SEARCH_BATCH}),
           ins AS (INSERT INTO item_search SELECT * FROM batch)
           SELECT published::text, id FROM batch ORDER BY published DESC, id DESC LIMIT 1`,
          after ?? [],
        )
        const last = rows[0]
        if (!last?.id || last.published === null) break
        after = [last.published, last.id]
      }
      await client.query(`
        CREATE INDEX item_search_walk ON item_search (published DESC, id DESC)
          INCLUDE (source_id, cluster_id, language, topics, word_sig);
        CREATE INDEX item_search_cluster ON item_search (cluster_id);
        CREATE TRIGGER item_search_insert AFTER INSERT ON items FOR EACH ROW
          EXECUTE FUNCTION topicwire_item_search();
        CREATE TRIGGER item_search_delete AFTER DELETE ON items FOR EACH ROW
          EXECUTE FUNCTION topicwire_item_search();
        CREATE TRIGGER item_search_update AFTER UPDATE ON items FOR EACH ROW
          WHEN ((OLD.id, OLD.published, OLD.source_id, OLD.cluster_id, OLD.language, OLD.topics,
              OLD.word_sig, OLD.search_text)
            IS DISTINCT FROM (NEW.id, NEW.published, NEW.source_id, NEW.cluster_id, NEW.language,
              NEW.topics, NEW.word_sig, NEW.search_text))
          EXECUTE FUNCTION topicwire_item_search();
        CREATE TRIGGER item_search_truncate AFTER TRUNCATE ON items
          FOR EACH STATEMENT EXECUTE FUNCTION topicwire_item_search_truncate();
        DROP INDEX items_walk_sig;
        ANALYZE item_search;
      `)
    },
  },
  {
    // Schema 9 kept each row's search text (and word signature) twice: in `items`, where no
    // read used it any more, and in `item_search`. The items' copies go: the writer (item-rows.ts)
    // now writes item_search itself beside the items row, in the same statement, and triggers
    // keep only deletions (retention, truncate) in step. A source's `q` walks item_search by a
    // source index of its own instead of the items (whose signature is gone). Dropping a column
    // rewrites nothing (bounded at any size); the space of rows stored before is reused as
    // retention replaces them, or at once with `VACUUM FULL items` (README: Running at scale).
    version: 10,
    name: 'the search text and signature in item_search alone',
    sql: `
      LOCK TABLE items IN ACCESS EXCLUSIVE MODE;
      DROP TRIGGER item_search_insert ON items;
      DROP TRIGGER item_search_update ON items;
      CREATE OR REPLACE FUNCTION topicwire_item_search() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM item_search WHERE id = OLD.id;
        RETURN NULL;
      END $$;
      ALTER TABLE items DROP COLUMN search_text, DROP COLUMN word_sig;
      CREATE INDEX item_search_source ON item_search (source_id, published DESC, id DESC);
    `,
  },
  {
    // Index-only walks (items_walk, item_topics, item_search's signature walk) read a row's heap
    // page unless the visibility map marks the page all-visible, which only VACUUM does. By
    // default autovacuum visits a table for inserts once they pass a fifth of its rows (100,000
    // new items at 500,000), so a large store's newest rows, the ones pages walk first, stay
    // unmarked for weeks (q at 10,000 items read 888 buffers instead of 560 with the map
    // behind). One percent of the rows (plus the default 1,000) keeps the map close behind; the
    // visit skips pages already marked. Storage parameters only: nothing is rewritten.
    version: 11,
    name: 'autovacuum marks inserted rows visible after 1% new rows',
    sql: `
      ALTER TABLE items SET (autovacuum_vacuum_insert_scale_factor = 0.01);
      ALTER TABLE item_search SET (autovacuum_vacuum_insert_scale_factor = 0.01);
      ALTER TABLE item_topics SET (autovacuum_vacuum_insert_scale_factor = 0.01);
    `,
  },
  {
    // A `q` page tests the search text of each row it walks and of its stories' members (~130
    // rows): PostgreSQL compresses a row's values once the row passes ~2 KB (the search text
    // alone is ~2 KB), so each test first decompressed the text (lz4: a tenth of a `q` page's
    // server CPU, perf at 100,000 items). With the target at its maximum (a row as large as a
    // page, 8 KB blocks), a row that fits a page is stored as it is: item_search a third larger
    // (198 → 261 MB at 100,000 items, 991 → 1,302 MB at 500,000), 0.91–0.94× the server's CPU
    // per `q` page (medians of five alternations at 500,000 and 100,000 items). A larger row is
    // still compressed, then moved out of line. A storage parameter only: rows written before
    // keep their compressed text until a poll rewrites them or retention drops them (README:
    // Running at scale).
    version: 12,
    name: 'search text stored uncompressed when its row fits a page',
    sql: 'ALTER TABLE item_search SET (toast_tuple_target = 8160)',
  },
]

/** Rows of items copied into item_search per statement by migration 9. */
const SEARCH_BATCH = 5_000

/** `published` of an item whose date cannot be read: before any date JavaScript can hold. */
export const UNDATED = -8_640_000_000_000_001

/** The advisory lock key migrations run under (any constant; "topicwire" in ASCII). */
const MIGRATION_LOCK = 0x746f70696377

/**
 * For a read-only open (`check --preview`): checks, without changing anything, that the database
 * is at this code's schema version.
 * @throws StoreError naming both versions when it is older (never migrated, or by an older
 *   topicwire: a serve or `store migrate` of this version migrates it) or newer.
 */
export const requireCurrentSchema = async (
  db: Pick<pg.Pool, 'query'>,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<void> => {
  const { rows: exists } = await db.query<{ t: string | null }>(
    "SELECT to_regclass('topicwire_migrations')::text AS t",
  )
  let current = 0
  if (exists[0]?.t) {
    const { rows } = await db.query<{ v: number | null }>(
      'SELECT max(version) AS v FROM topicwire_migrations',
    )
    current = rows[0]?.v ?? 0
  }
  const latest = migrations.at(-1)?.version ?? 0
  if (current === latest) return
  const why =
    current > latest
      ? `newer than this topicwire knows (${latest}): it was upgraded by a newer topicwire; run that version`
      : `older than this topicwire's (${latest}): start \`topicwire serve\` of this version once (it migrates), then preview again`
  throw new StoreError(
    `the database's schema is version ${current}, ${why} (a read-only open such as \`check --preview\` never migrates)`,
  )
}

/**
 * Brings the database to the newest schema: takes the advisory lock (replicas starting together
 * wait for the first), applies each missing migration in its own transaction, and records it in
 * `topicwire_migrations`. Returns the versions applied by this call.
 * @throws StoreError when the database was migrated by a newer topicwire than this one.
 */
export const migrate = async (
  pool: pg.Pool,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> => {
  const client = await pool.connect()
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK])
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS topicwire_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`)
      const { rows } = await client.query<{ v: number | null }>(
        'SELECT max(version) AS v FROM topicwire_migrations',
      )
      const current = rows[0]?.v ?? 0
      const latest = migrations.at(-1)?.version ?? 0
      if (current > latest) {
        throw new StoreError(
          `the database's schema is version ${current}, newer than this topicwire knows (${latest}): it was upgraded by a newer topicwire; run that version (or restore a backup taken before the upgrade)`,
        )
      }
      const applied: number[] = []
      for (const m of migrations) {
        if (m.version <= current) continue
        await client.query('BEGIN')
        try {
          await client.query(m.sql)
          await m.run?.(client)
          await client.query('INSERT INTO topicwire_migrations (version, name) VALUES ($1, $2)', [
            m.version,
            m.name,
          ])
          await client.query('COMMIT')
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined)
          throw new StoreError(
            `schema migration ${m.version} (${m.name}) failed: ${err instanceof Error ? err.message : String(err)}`,
            { cause: err },
          )
        }
        applied.push(m.version)
      }
      return applied
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined)
    }
  } finally {
    client.release()
  }
}
