// Start-up contract: busy ports and unusable data folders are coded errors; extra accounts from the option
// and from AZURITE_ACCOUNTS work beside devstoreaccount1.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { AzureNamedKeyCredential, TableServiceClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { isCloudbenchError } from '../../../runtime/shared/errors.js';
import { failure, startEmulator } from './helpers.js';

describe('startStorageEmulator', () => {
  it('reports a busy port as CB_ERR_EMULATORS_PORT_IN_USE naming the option', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    const err = await failure(startEmulator({ tablesPort: port }));
    blocker.close();
    expect(isCloudbenchError(err, 'CB_ERR_EMULATORS_PORT_IN_USE')).toBe(true);
    expect(err.message).toContain(`127.0.0.1:${port}`);
    expect(err.fix).toContain('--tables-port');
  });

  it('reports an unusable data folder as CB_ERR_EMULATORS_DATA_DIR', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cb-storage-')), 'a-file');
    fs.writeFileSync(file, 'x');
    const err = await failure(startEmulator({ inMemory: false, dataDir: file }));
    expect(isCloudbenchError(err, 'CB_ERR_EMULATORS_DATA_DIR')).toBe(true);
  });

  it('serves extra accounts from the option and from AZURITE_ACCOUNTS', async () => {
    const key = Buffer.from('another key of 32 bytes.........').toString('base64');
    process.env.AZURITE_ACCOUNTS = `envacct:${key}`;
    const emu = await startEmulator({ accounts: [{ name: 'optacct', key }] });
    delete process.env.AZURITE_ACCOUNTS;
    try {
      for (const account of ['optacct', 'envacct']) {
        const client = new TableServiceClient(`${emu.tablesUrl}/${account}`, new AzureNamedKeyCredential(account, key), { allowInsecureConnection: true });
        await client.createTable('sametable');
        const names = [];
        for await (const t of client.listTables()) names.push(t.name);
        expect(names).toEqual(['sametable']);
      }
      expect(emu.connectionString('optacct')).toContain('AccountName=optacct');
    } finally {
      await emu.close();
    }
  });
});
