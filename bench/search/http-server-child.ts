/**
 * Child process for bench/search/http.ts: runs the loopback OpenAI server (so the server and
 * the client under test use different cores) and reports its base URL over IPC.
 * Options come as JSON in argv[2].
 */
import { startOpenAITestServer } from '../../test/helpers/openai-server.ts';

const server = await startOpenAITestServer(JSON.parse(process.argv[2] ?? '{}'));
let cpuStart = process.cpuUsage();
process.send?.({ baseURL: server.baseURL });
process.on('message', (message: unknown) => {
  if (message === 'stats') {
    const cpu = process.cpuUsage(cpuStart);
    process.send?.({ requests: server.requestCount(), maxInFlight: server.maxInFlight, cpuUs: cpu.user + cpu.system });
  }
  if (message === 'reset') {
    server.reset();
    cpuStart = process.cpuUsage();
  }
});
process.on('disconnect', () => {
  void server.close().then(() => process.exit(0));
});
