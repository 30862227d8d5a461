// Azure's service runtime protocol for a role instance: what `azure.RoleEnvironment` of the `azure` npm package
// (0.6 to 0.10, also the newest on npm) reads to answer getConfigurationSettings, getCurrentRoleInstance,
// getDeploymentId, isAvailable, isEmulated and getRoles, and where setStatus and requestRecycle write.
//   WaRuntimeEndpoint   a pipe that answers the protocol versions it speaks:
//                       <RuntimeServerDiscovery><RuntimeServerEndpoints><RuntimeServerEndpoint version="2011-03-08"
//                       path="<goal-state pipe>"/>…
//   goal-state pipe     sends the current goal state (Incarnation, ExpectedState Started, RoleEnvironmentPath,
//                       CurrentStateEndpoint, Deadline) on connect, and a new one when the settings change to a
//                       client that stays connected (one that listens for `changed`)
//   role environment    an XML file: the deployment, this instance with its ConfigurationSettings, the roles
//   current-state pipe  takes <CurrentState><StatusLease><Acquire><Status>Busy|Started|Recycle… or <Release/>
// Each message on a pipe is `<length>\r\n<xml>\r\n` in one write. The client takes each chunk it reads as one
// message and parses what lies between its first and second CRLF; when two goal states reach a busy client as one
// chunk it so reads the first, which is why every goal state names the same role environment file, replaced whole
// with the latest settings: whichever goal state a client reads, it reads the newest settings, and `changed` fires.
// Names and formats are those the client's deserializers read (node_modules/azure/lib/serviceruntime).
// Pipes are Unix sockets in the instance's private folder, or named pipes on Windows. The client compares
// incarnations as the strings it parsed, so they are written with ten digits ("0000000010" > "0000000009").
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface RoleEnvironmentInfo {
  readonly deploymentId: string;
  readonly roleName: string;
  readonly instanceId: string;
  /** The role's ConfigurationSettings (ServiceConfiguration.<env>.cscfg, cloudbench.json settings). */
  readonly settings: Readonly<Record<string, string>>;
}

/** What the instance reported: Busy/Started through setStatus, Recycle through requestRecycle, Release through clearStatus. */
export type ReportedStatus = 'Busy' | 'Started' | 'Recycle' | 'Release';

/** A report, with the time a status set through setStatus lapses (its `expiration_utc`), when it names one. */
export interface StatusReport {
  readonly status: ReportedStatus;
  readonly expiresAt?: number;
}

const PROTOCOL_VERSION = '2011-03-08';
/** The longest Unix socket path (sockaddr_un holds 104 bytes on macOS and the BSDs, 108 on Linux, with the NUL). */
const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103;

const escapeAttribute = (text: string): string =>
  text.replace(/[&<>"\r\n\t]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\r': '&#xD;', '\n': '&#xA;', '\t': '&#x9;' })[c] as string);
const escapeText = (text: string): string => text.replace(/[&<>\r\n]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;', '\n': '&#xA;' })[c] as string);

/** One message on a pipe: the XML (kept on one line) between its length and a CRLF, and a CRLF. */
function frame(xml: string): string {
  return `${Buffer.byteLength(xml)}\r\n${xml}\r\n`;
}

export function roleEnvironmentXml(info: RoleEnvironmentInfo): string {
  const settings = Object.entries(info.settings)
    .map(([name, value]) => `<ConfigurationSetting name="${escapeAttribute(name)}" value="${escapeAttribute(value)}" />`)
    .join('');
  return (
    '<?xml version="1.0" encoding="utf-8"?><RoleEnvironment>' +
    `<Deployment id="${escapeAttribute(info.deploymentId)}" emulated="true" />` +
    `<CurrentInstance id="${escapeAttribute(info.instanceId)}" roleName="${escapeAttribute(info.roleName)}" faultDomain="0" updateDomain="0">` +
    `<ConfigurationSettings>${settings}</ConfigurationSettings><LocalResources /><Endpoints /></CurrentInstance><Roles /></RoleEnvironment>`
  );
}

/** The status a current-state message reports, or undefined for one it does not recognise. */
export function reportedStatus(xml: string): StatusReport | undefined {
  if (/<Release\s*\/?>/.test(xml)) return { status: 'Release' };
  const m = /<Status>\s*(Busy|Started|Recycle)\s*<\/Status>/.exec(xml);
  if (!m) return undefined;
  const expiration = /<Expiration>\s*([^<]+?)\s*<\/Expiration>/.exec(xml)?.[1];
  const expiresAt = expiration === undefined ? NaN : Date.parse(expiration);
  return { status: m[1] as ReportedStatus, ...(Number.isFinite(expiresAt) ? { expiresAt } : {}) };
}

export class ServiceRuntime {
  readonly #dir: string;
  readonly #pipes: { versions: string; goalState: string; currentState: string };
  readonly #servers: net.Server[] = [];
  /** Every open connection, so that close() does not wait on a client that keeps its end open. */
  readonly #sockets = new Set<net.Socket>();
  /** Goal-state clients that stayed connected (they listen for changes). */
  readonly #listeners = new Set<net.Socket>();
  #incarnation = 0;
  #goalState = '';
  #info: RoleEnvironmentInfo;
  /** An update waits for the end of the turn, so that quick edits reach a client as one goal state it can read. */
  #pushScheduled = false;
  #closed = false;

  /** `dir`: the instance's private folder, for the pipes and the role environment files. */
  constructor(dir: string, info: RoleEnvironmentInfo, private readonly onStatus: (report: StatusReport) => void) {
    this.#dir = dir;
    this.#info = info;
    const pipe = (name: string) => (process.platform === 'win32' ? `\\\\.\\pipe\\cloudbench-${path.basename(dir)}-${name}` : path.join(dir, `${name}.sock`));
    this.#pipes = { versions: pipe('rt'), goalState: pipe('gs'), currentState: pipe('cs') };
  }

  /** Writes the first role environment and starts the pipes. Rejects with a message saying what failed. */
  async start(): Promise<void> {
    if (process.platform !== 'win32') {
      const longest = this.#pipes.currentState;
      if (Buffer.byteLength(longest) > MAX_SOCKET_PATH_BYTES) {
        throw new Error(`the socket path ${longest} is ${Buffer.byteLength(longest)} bytes, more than the ${MAX_SOCKET_PATH_BYTES} a Unix socket path may have; set TMPDIR to a shorter folder`);
      }
    }
    this.#publish();
    await this.#listen();
  }

  /** WaRuntimeEndpoint, for the instance's processes (known before start). */
  get environment(): Record<string, string> {
    return { WaRuntimeEndpoint: this.#pipes.versions };
  }

  /** New settings (a configuration change): a new incarnation, pushed to the clients that listen for changes. */
  update(info: RoleEnvironmentInfo): void {
    if (this.#closed || JSON.stringify(info) === JSON.stringify(this.#info)) return;
    this.#info = info;
    if (this.#pushScheduled) return;
    this.#pushScheduled = true;
    // Quick edits (one turn) make one goal state: fewer `changed` events, and fewer messages to share a chunk.
    setImmediate(() => {
      this.#pushScheduled = false;
      if (this.#closed) return;
      try {
        this.#publish();
      } catch {
        return; // the folder is gone (the instance is stopping): the clients keep the goal state they have
      }
      for (const socket of this.#listeners) socket.write(frame(this.#goalState));
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const socket of this.#sockets) socket.destroy();
    await Promise.all(this.#servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }

  /** Replaces the role environment file with the current settings and builds the next incarnation's goal state. */
  #publish(): void {
    const incarnation = String(this.#incarnation + 1).padStart(10, '0');
    const file = path.join(this.#dir, 'roleenvironment.xml');
    // Written aside and renamed over: a client reading the file meanwhile reads the old or the new one, whole.
    const xml = roleEnvironmentXml(this.#info);
    fs.writeFileSync(`${file}.next`, xml);
    try {
      fs.renameSync(`${file}.next`, file);
    } catch {
      fs.writeFileSync(file, xml); // Windows refuses to replace a file another process has open
    }
    this.#incarnation += 1;
    this.#goalState =
      '<?xml version="1.0" encoding="utf-8"?><GoalState>' +
      `<Incarnation>${incarnation}</Incarnation><ExpectedState>Started</ExpectedState>` +
      `<RoleEnvironmentPath>${escapeText(file)}</RoleEnvironmentPath><CurrentStateEndpoint>${escapeText(this.#pipes.currentState)}</CurrentStateEndpoint>` +
      '<Deadline>9999-12-31T23:59:59.9999999Z</Deadline></GoalState>';
  }

  async #listen(): Promise<void> {
    const versions =
      '<?xml version="1.0" encoding="utf-8"?><RuntimeServerDiscovery><RuntimeServerEndpoints>' +
      `<RuntimeServerEndpoint version="${PROTOCOL_VERSION}" path="${escapeAttribute(this.#pipes.goalState)}" />` +
      '</RuntimeServerEndpoints></RuntimeServerDiscovery>';
    await Promise.all([
      this.#serve(this.#pipes.versions, (socket) => socket.end(frame(versions))),
      this.#serve(this.#pipes.goalState, (socket) => {
        // A client that reads once closes its end; one that listens for changes keeps it open.
        this.#listeners.add(socket);
        socket.on('close', () => this.#listeners.delete(socket));
        socket.write(frame(this.#goalState));
      }),
      this.#serve(this.#pipes.currentState, (socket) => {
        let text = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => {
          if (text.length < 64 * 1024) text += chunk;
        });
        socket.on('end', () => {
          const report = reportedStatus(text);
          if (report && !this.#closed) this.onStatus(report);
        });
      }),
    ]);
  }

  #serve(pipe: string, onConnection: (socket: net.Socket) => void): Promise<void> {
    const server = net.createServer((socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      onConnection(socket);
    });
    server.unref();
    this.#servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(pipe, () => resolve());
    });
  }
}
