import { afterEach, expect, it } from "vitest";
import { describeEachBackend } from "../../test/helpers/backends.ts";
import type { AppDatabase } from "./app-database.ts";
import { openPostgresDatabase } from "./postgres/postgres-database.ts";
import { createTestDatabase } from "./test-database.ts";

describeEachBackend("lockUntilCommit", (backend) => {
  let database: AppDatabase | undefined;
  afterEach(async () => {
    await database?.close();
    database = undefined;
  });
  const open = async () => (database = backend.name === "sqlite"
    ? createTestDatabase()
    : await openPostgresDatabase({ url: (await backend.env("lock")).DATABASE_URL! }));

  it("holds a second transaction asking for the same key until the first ends; another key does not wait", async () => {
    const db = await open();
    const order: string[] = [];
    let endFirst!: () => void;
    const firstMayEnd = new Promise<void>((resolve) => { endFirst = resolve; });
    let firstHasIt!: () => void;
    const firstLocked = new Promise<void>((resolve) => { firstHasIt = resolve; });

    const first = db.transaction(async (tx) => {
      await db.lockUntilCommit("shop-access:a", tx);
      order.push("first has the lock");
      firstHasIt();
      await firstMayEnd;
      order.push("first ends");
    });
    await firstLocked;
    const second = db.transaction(async (tx) => {
      await db.lockUntilCommit("shop-access:a", tx);
      order.push("second has the lock");
    });
    if (backend.name === "postgres") {
      // A transaction on another key goes ahead meanwhile (SQLite runs one transaction at a time anyway).
      await db.transaction(async (tx) => {
        await db.lockUntilCommit("shop-access:b", tx);
        order.push("other key");
      });
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(order).not.toContain("second has the lock");
    endFirst();
    await Promise.all([first, second]);
    expect(order.filter((step) => step !== "other key")).toEqual(["first has the lock", "first ends", "second has the lock"]);
  });

  it("lets the key go when the transaction rolls back", async () => {
    const db = await open();
    await expect(db.transaction(async (tx) => {
      await db.lockUntilCommit("shop-access:c", tx);
      throw new Error("rolled back");
    })).rejects.toThrow("rolled back");
    await db.transaction((tx) => db.lockUntilCommit("shop-access:c", tx));
  });
});
