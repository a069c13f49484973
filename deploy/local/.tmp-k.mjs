import kafkajs from 'kafkajs';
import Redis from 'ioredis';
const { Kafka, logLevel } = kafkajs;
const kafka = new Kafka({ clientId: 'chk', brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
const r = new Redis('redis://127.0.0.1:6379');
if (process.argv[2] === 'write') {
  await admin.createTopics({ topics: [{ topic: 'persist-check', numPartitions: 1 }], waitForLeaders: true });
  const p = kafka.producer();
  await p.connect();
  await p.send({ topic: 'persist-check', messages: [{ value: 'hello' }] });
  await p.disconnect();
  await r.set('persist-check', 'yes');
}
const offs = await admin.fetchTopicOffsets('persist-check');
console.log(process.argv[2], 'kafka high watermark', offs[0].high, 'redis', await r.get('persist-check'));
await admin.disconnect();
r.disconnect();
