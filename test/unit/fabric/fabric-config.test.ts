// cloudbench.json and ServiceConfiguration.<env>.cscfg: what they configure, and errors at file:line:col.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFabricConfig } from '../../../runtime/fabric/fabric-config.js';
import { ROOT } from '../../helpers/serve.js';

const folder = (files: Record<string, string>): string => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cb-fabric-config-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
};

describe('fabric configuration', () => {
  it('defaults to one local instance and a test environment', () => {
    const c = loadFabricConfig(folder({}));
    expect(c).toMatchObject({ instances: 1, balancer: 'round-robin', warmupPath: '/', sources: [] });
    expect(c.environments.map((e) => e.name)).toEqual(['test']);
  });

  it('reads cloudbench.json: instances, balancer, environments with settings and slot settings, warm-up', () => {
    const c = loadFabricConfig(folder({
      'cloudbench.json': `{
        // comments are allowed
        "$schema": "./cloudbench.schema.json",
        "instances": 3, "balancer": "sticky",
        "environments": { "test": { "instances": 2, "settings": { "A": "1" }, "slotSettings": { "staging": { "S": "st" } }, "ports": { "production": 8181, "staging": 8182 } }, "prod": {} },
        "swap": { "warmupPath": "/health", "warmupStatuses": [200, 204] },
      }`,
    }));
    expect(c).toMatchObject({ instances: 3, balancer: 'sticky', warmupPath: '/health', warmupStatuses: [200, 204], sources: ['cloudbench.json'] });
    expect(c.environments).toEqual([
      { name: 'test', instances: 2, settings: { A: '1' }, slotSettings: { production: {}, staging: { S: 'st' } }, ports: { production: 8181, staging: 8182 } },
      { name: 'prod', instances: 1, settings: {}, slotSettings: { production: {}, staging: {} }, ports: {} },
    ]);
  });

  it('reads ServiceConfiguration.<env>.cscfg: Local sets the live instances, others are environments', () => {
    const cscfg = (n: number, setting = '') => `<?xml version="1.0"?>
<ServiceConfiguration serviceName="tasks">
  <Role name="WebRole1">
    <Instances count="${n}" />
    <ConfigurationSettings>${setting}</ConfigurationSettings>
  </Role>
</ServiceConfiguration>`;
    const c = loadFabricConfig(folder({ 'ServiceConfiguration.Local.cscfg': cscfg(4), 'ServiceConfiguration.Cloud.cscfg': cscfg(2, '<Setting name="Mode" value="cloud"/>') }));
    expect(c.instances).toBe(4);
    expect(c.environments).toEqual([{ name: 'cloud', instances: 2, settings: { Mode: 'cloud' }, slotSettings: { production: {}, staging: {} }, ports: {} }]);
  });

  it('takes the web role\'s <Role> of a cscfg by its csdef name, and each worker role\'s own settings', () => {
    const role = (name: string, n: number, value: string) => `<Role name="${name}"><Instances count="${n}"/><ConfigurationSettings><Setting name="Who" value="${value}"/></ConfigurationSettings></Role>`;
    const c = loadFabricConfig(folder({
      // The service's name differs from its roles' and the worker role comes first, as Visual Studio writes them.
      'ServiceDefinition.csdef': '<ServiceDefinition name="tasks"><WorkerRole name="Jobs"><Runtime><EntryPoint><ProgramEntryPoint commandLine="node jobs.js"/></EntryPoint></Runtime></WorkerRole><WebRole name="Site"/></ServiceDefinition>',
      'ServiceConfiguration.Local.cscfg': `<ServiceConfiguration serviceName="tasks">${role('Jobs', 1, 'jobs-local')}${role('Site', 3, 'site-local')}</ServiceConfiguration>`,
      'ServiceConfiguration.Cloud.cscfg': `<ServiceConfiguration serviceName="tasks">${role('Jobs', 5, 'jobs-cloud')}${role('Site', 2, 'site-cloud')}</ServiceConfiguration>`,
    }));
    expect(c.webRole).toBe('Site');
    expect(c.instances).toBe(3);
    expect(c.localSettings).toEqual({ Who: 'site-local' });
    expect(c.environments).toMatchObject([{ name: 'cloud', instances: 2, settings: { Who: 'site-cloud' } }]);
    expect(c.workerRoleSettings).toEqual({ local: { Jobs: { Who: 'jobs-local' } }, cloud: { Jobs: { Who: 'jobs-cloud' } } });
    // Worker roles of cloudbench.json count too, and its settings for an environment lie over every role's own.
    const json = loadFabricConfig(folder({
      'consumer.js': '',
      'cloudbench.json': '{ "workerRoles": { "consumer": { "script": "consumer.js" } }, "environments": { "cloud": { "settings": { "Region": "eu", "Who": "json" } } } }',
      'ServiceConfiguration.Local.cscfg': `<ServiceConfiguration>${role('consumer', 1, 'consumer-local')}${role('web', 2, 'web-local')}</ServiceConfiguration>`,
      'ServiceConfiguration.Cloud.cscfg': `<ServiceConfiguration>${role('consumer', 1, 'consumer-cloud')}${role('web', 4, 'web-cloud')}</ServiceConfiguration>`,
    }));
    expect(json).toMatchObject({ instances: 2, localSettings: { Who: 'web-local' } });
    expect(json.environments).toMatchObject([{ name: 'cloud', instances: 4, settings: { Who: 'json', Region: 'eu' } }]);
    expect(json.workerRoleSettings).toEqual({ local: { consumer: { Who: 'consumer-local' } }, cloud: { consumer: { Who: 'json', Region: 'eu' } } });
    // A cscfg with no web role is no environment (the default one stays), and only the web role's count is checked.
    const workersOnly = loadFabricConfig(folder({
      'ServiceDefinition.csdef': '<ServiceDefinition><WebRole name="Site"/><WorkerRole name="Jobs"><Runtime><EntryPoint><ProgramEntryPoint commandLine="node jobs.js"/></EntryPoint></Runtime></WorkerRole></ServiceDefinition>',
      'ServiceConfiguration.Cloud.cscfg': `<ServiceConfiguration>${role('Jobs', 1, 'jobs-cloud').replace('count="1"', 'count="0"')}</ServiceConfiguration>`,
    }));
    expect(workersOnly.environments.map((e) => e.name)).toEqual(['test']);
    expect(workersOnly.workerRoleSettings).toEqual({ cloud: { Jobs: { Who: 'jobs-cloud' } } });
    // Two files for one environment (names differing in case) are refused rather than merged.
    if (process.platform === 'linux') {
      expect(() => loadFabricConfig(folder({ 'ServiceConfiguration.Cloud.cscfg': `<ServiceConfiguration>${role('web', 1, 'a')}</ServiceConfiguration>`, 'ServiceConfiguration.cloud.cscfg': `<ServiceConfiguration>${role('web', 2, 'b')}</ServiceConfiguration>` }))).toThrow(/ServiceConfiguration\.Cloud\.cscfg configures the cloud environment too; keep one/);
    }
    // Without a csdef the role is "WebRole"; a cscfg naming another takes its first role.
    expect(loadFabricConfig(folder({ 'ServiceConfiguration.Local.cscfg': `<ServiceConfiguration>${role('Other', 2, 'x')}</ServiceConfiguration>` }))).toMatchObject({ webRole: 'WebRole', instances: 2, localSettings: { Who: 'x' } });
    // A csdef without a <WebRole> keeps "WebRole" (not the service's name).
    expect(loadFabricConfig(folder({ 'ServiceDefinition.csdef': '<ServiceDefinition name="tasks"/>' })).webRole).toBe('WebRole');
  });

  it('reads worker roles from cloudbench.json and from ServiceDefinition.csdef', () => {
    const json = loadFabricConfig(folder({ 'worker.js': '', 'cloudbench.json': '{ "workerRoles": { "consumer": { "script": "worker.js", "instances": 2 } } }' }));
    expect(json.workerRoles).toEqual([{ name: 'consumer', script: 'worker.js', instances: 2 }]);
    const csdef = loadFabricConfig(folder({
      'ServiceDefinition.csdef': `<ServiceDefinition name="tasks"><WebRole name="Web"/><WorkerRole name="Consumer"><Runtime><EntryPoint><ProgramEntryPoint commandLine="node.cmd .\\consumer.js" setReadyOnProcessStart="true"/></EntryPoint></Runtime></WorkerRole></ServiceDefinition>`,
    }));
    expect(csdef.workerRoles).toEqual([{ name: 'Consumer', script: 'consumer.js', instances: 1 }]);
    expect(() => loadFabricConfig(folder({ 'cloudbench.json': '{ "workerRoles": { "c": { "script": "missing.js" } } }' }))).toThrow(/cloudbench\.json:1:\d+: workerRoles\.c\.script must name a script file/);
    expect(() => loadFabricConfig(folder({ 'ServiceDefinition.csdef': '<ServiceDefinition><WorkerRole name="W"/></ServiceDefinition>' }))).toThrow(/ServiceDefinition\.csdef:1:\d+: worker role "W" needs/);
  });

  it('reads the balancer health probe from cloudbench.json and from a csdef <LoadBalancerProbe>', () => {
    expect(loadFabricConfig(folder({})).healthProbe).toBeUndefined();
    expect(loadFabricConfig(folder({ 'cloudbench.json': '{ "healthProbe": { "path": "/health", "intervalSeconds": 2 } }' })).healthProbe).toEqual({ protocol: 'http', path: '/health', intervalMs: 2000, timeoutMs: 2000, failures: 2 });
    expect(loadFabricConfig(folder({ 'cloudbench.json': '{ "healthProbe": { "protocol": "tcp", "intervalSeconds": 30, "timeoutSeconds": 3, "failures": 4 } }' })).healthProbe).toEqual({ protocol: 'tcp', path: '/', intervalMs: 30_000, timeoutMs: 3000, failures: 4 });
    const csdef = (probe: string) => `<ServiceDefinition name="s"><LoadBalancerProbes>${probe}</LoadBalancerProbes><WebRole name="W"/></ServiceDefinition>`;
    // Azure: a probe every intervalInSeconds; out when none succeeded for timeoutInSeconds (16 s / 5 s: 3 misses).
    expect(loadFabricConfig(folder({ 'ServiceDefinition.csdef': csdef('<LoadBalancerProbe name="p" protocol="http" path="/probe" intervalInSeconds="5" timeoutInSeconds="16"/>') })).healthProbe).toEqual({ protocol: 'http', path: '/probe', intervalMs: 5000, timeoutMs: 5000, failures: 3 });
    expect(loadFabricConfig(folder({ 'ServiceDefinition.csdef': csdef('<LoadBalancerProbe name="p" protocol="tcp" port="80"/>') })).healthProbe).toEqual({ protocol: 'tcp', path: '/', intervalMs: 15_000, timeoutMs: 15_000, failures: 2 });
    expect(() => loadFabricConfig(folder({ 'ServiceDefinition.csdef': csdef('<LoadBalancerProbe name="p" protocol="udp"/>') }))).toThrow(/ServiceDefinition\.csdef:1:\d+: <LoadBalancerProbe protocol="udp"> must be http or tcp/);
    expect(() => loadFabricConfig(folder({ 'ServiceDefinition.csdef': csdef('<LoadBalancerProbe name="p" intervalInSeconds="0"/>') }))).toThrow(/intervalInSeconds="0"> must be a whole number of seconds/);
  });

  it('names file, line and column for bad values, unknown keys and malformed JSON', () => {
    const cases: Array<[string, RegExp]> = [
      ['{\n  "instances": 0\n}', /cloudbench\.json:2:16: instances must be a whole number from 1 to 64; got 0/],
      ['{\n  "instance": 2\n}', /cloudbench\.json:2:3: unknown key "instance"/],
      ['{ "balancer": "random" }', /cloudbench\.json:1:15: balancer must be one of round-robin, least-connections, sticky/],
      ['{ "environments": { "Prod": {} } }', /must be lower-case/],
      ['{ "environments": { "local": {} } }', /not "local"/],
      ['{ "environments": { "t": { "settings": { "A": 1 } } } }', /environments\.t\.settings\.A must be a string/],
      ['{ "swap": { "warmupPath": "health" } }', /warmupPath must be a path/],
      ['{ "instances": 2, }x', /malformed JSON/],
      ['{ "healthProbe": { "intervalSeconds": 5 } }', /cloudbench\.json:1:18: healthProbe\.path must be a path starting with \//],
      ['{ "healthProbe": { "path": "/h", "intervalSeconds": 0 } }', /healthProbe\.intervalSeconds must be a whole number from 1 to 3600; got 0/],
      ['{ "healthProbe": { "path": "/h", "every": 5 } }', /unknown key "every" in healthProbe/],
      ['{ "healthProbe": { "protocol": "udp" } }', /healthProbe\.protocol must be "http" or "tcp"; got "udp"/],
      ['{ "healthProbe": "/health" }', /healthProbe must be an object/],
      ['{ "environments": { "t": { "ports": 8080 } } }', /cloudbench\.json:1:37: environments\.t\.ports must be an object/],
      ['{ "environments": { "t": { "ports": { "preview": 8080 } } } }', /unknown slot "preview" in environments\.t\.ports/],
      ['{ "environments": { "t": { "ports": { "staging": 70000 } } } }', /environments\.t\.ports\.staging must be a port number from 1 to 65535; got 70000/],
      ['{ "environments": { "t": { "ports": { "staging": "8080" } } } }', /must be a port number/],
      ['{ "environments": {\n "a": { "ports": { "production": 9000 } },\n "b": { "ports": { "staging": 9000 } } } }', /cloudbench\.json:3:31: environments\.b\.ports\.staging is 9000, which environments\.a\.ports\.production already uses/],
    ];
    for (const [text, message] of cases) {
      expect(() => loadFabricConfig(folder({ 'cloudbench.json': text })), text).toThrow(message);
    }
    expect(() => loadFabricConfig(folder({ 'ServiceConfiguration.Local.cscfg': '<ServiceConfiguration><Role name="W"><Instances count="x"/></Role></ServiceConfiguration>' }))).toThrow(/Local\.cscfg:1:\d+: <Instances count="x">/);
  });

  it('ships a JSON Schema that accepts what the loader accepts', () => {
    const schema = JSON.parse(readFileSync(path.join(ROOT, 'resources', 'cloudbench.schema.json'), 'utf8'));
    expect(Object.keys(schema.properties).sort()).toEqual(['$schema', 'balancer', 'environments', 'healthProbe', 'instances', 'swap', 'workerRoles']);
    expect(Object.keys(schema.properties.healthProbe.properties).sort()).toEqual(['failures', 'intervalSeconds', 'path', 'protocol', 'timeoutSeconds']);
    expect(Object.keys(schema.properties.environments.additionalProperties.properties).sort()).toEqual(['instances', 'ports', 'settings', 'slotSettings']);
    expect(schema.properties.balancer.enum).toEqual(['round-robin', 'least-connections', 'sticky']);
  });
});
