// Reads coldstore serve's /-/events with eventsource, the WHATWG
// EventSource for Node.js, and prints a JSON line for each event it
// dispatches: {"event", "id", "key"} for an object's creation, {"event",
// "data"} for a Gap, {"event": "open"} when a connection opens and
// {"event": "error"} when one fails (the EventSource then reconnects by
// itself, sending the last id it received as Last-Event-ID). Driven by
// cmd/coldstore's TestServe_EventsEventSource, which ends it.
//
//   node stream.js http://127.0.0.1:PORT/-/events
const { EventSource } = require('eventsource');

const es = new EventSource(process.argv[2]);
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');
es.onopen = () => say({ event: 'open' });
es.onerror = () => say({ event: 'error' });
es.addEventListener('ObjectCreated:Put', (e) => {
  const rec = JSON.parse(e.data).Records[0];
  say({ event: e.type, id: e.lastEventId, key: rec.s3.object.key });
});
es.addEventListener('Gap', (e) => say({ event: e.type, data: e.data }));
setTimeout(() => { es.close(); process.exit(3); }, 60000);
