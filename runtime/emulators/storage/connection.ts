// Connection strings and the environment workers get, so code written for Azure runs unchanged:
//   - @azure/data-tables and @azure/storage-queue read the connection string the app passes them,
//     usually from AZURE_STORAGE_CONNECTION_STRING or AzureWebJobsStorage (Functions);
//   - the legacy azure-storage package's createTableService()/createQueueService() with no arguments read
//     EMULATED (fixed ports 10000–10002, so not set here: our ports may differ), then
//     AZURE_STORAGE_CONNECTION_STRING, then AZURE_STORAGE_ACCOUNT + AZURE_STORAGE_ACCESS_KEY
//     (node_modules/azure-storage/lib/common/services/storageservicesettings.js, createFromEnvironment).
// The connection string names TableEndpoint and QueueEndpoint explicitly; azure-storage accepts
// DefaultEndpointsProtocol + AccountName + AccountKey with any subset of endpoints (no BlobEndpoint needed).

export interface Endpoints {
  readonly tablesUrl: string;
  readonly queuesUrl: string;
}

export function connectionString(endpoints: Endpoints, account: string, key: string): string {
  return [
    `DefaultEndpointsProtocol=${endpoints.tablesUrl.startsWith('https:') ? 'https' : 'http'}`,
    `AccountName=${account}`,
    `AccountKey=${key}`,
    `TableEndpoint=${endpoints.tablesUrl}/${account}`,
    `QueueEndpoint=${endpoints.queuesUrl}/${account}`,
  ].join(';') + ';';
}

/** Variables for workers and terminals. AZURE_STORAGE_ACCOUNT/KEY are for tools that read only those. */
export function storageEnvironment(endpoints: Endpoints, account: string, key: string): Record<string, string> {
  const value = connectionString(endpoints, account, key);
  return {
    AZURE_STORAGE_CONNECTION_STRING: value,
    AzureWebJobsStorage: value,
    AZURE_STORAGE_ACCOUNT: account,
    AZURE_STORAGE_ACCESS_KEY: key,
  };
}
