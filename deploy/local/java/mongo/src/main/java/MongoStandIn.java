import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.AbstractMongoBackend;
import de.bwaldvogel.mongo.backend.AbstractSynchronizedMongoCollection;
import de.bwaldvogel.mongo.backend.AbstractSynchronizedMongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.DocumentWithPosition;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import org.h2.mvstore.MVMap;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.index.MemoryUniqueIndex;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.File;
import java.util.AbstractList;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.RandomAccess;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Local MongoDB stand-in for development and tests (NOT a production database).
 *
 * <p>Runs mongo-java-server on a TCP port and speaks the MongoDB wire protocol.
 *
 * <pre>
 *   java -cp 'classes:libs/*' MongoStandIn [--mode test|memory|stack] [--host 127.0.0.1] [--port 27017]
 *                                          [--data-file .local/data/mongo/tthc.mv]
 * </pre>
 *
 * <ul>
 *   <li>{@code --mode test}: in memory, data is lost when the process stops. Every collection keeps each
 *       document as its encoded BSON {@code byte[]} (mongo-java-server's own {@link BsonEncoder} /
 *       {@link BsonDecoder}) and decodes it on read ({@link CompactBackend}), so the heap holds about the
 *       BSON size (1.15&times;) instead of about 6&times; that, and the garbage collector has few objects to
 *       trace. Indexes, query matching, updates and cursors are those of the memory backend; reads and
 *       scans cost a decode per document.</li>
 *   <li>{@code --mode memory}: mongo-java-server's own {@link MemoryBackend} (documents as Java objects),
 *       kept for comparison.</li>
 *   <li>{@code --mode stack} (default): H2 MVStore file backend, data survives a restart.</li>
 * </ul>
 *
 * <p>The server reports MongoDB 5.0 ({@link ServerVersion#MONGO_5_0}, maxWireVersion 8) because the
 * Node.js driver 6.x refuses servers whose maxWireVersion is below 8 (MongoDB 4.2). See
 * docs/local-infrastructure.md.
 */
public final class MongoStandIn {

    private MongoStandIn() {
    }

    public static void main(String[] args) throws Exception {
        // slf4j-simple configuration: must be set before the first logger is created.
        setDefault("org.slf4j.simpleLogger.defaultLogLevel", "info");
        setDefault("org.slf4j.simpleLogger.showDateTime", "true");
        setDefault("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
        setDefault("org.slf4j.simpleLogger.showThreadName", "false");
        setDefault("org.slf4j.simpleLogger.showShortLogName", "true");
        setDefault("org.slf4j.simpleLogger.logFile", "System.out");
        // Per-connection open/close messages are logged at INFO by mongo-java-server; keep them out.
        setDefault("org.slf4j.simpleLogger.log.de.bwaldvogel.mongo.wire.MongoWireProtocolHandler", "warn");
        setDefault("org.slf4j.simpleLogger.log.io.netty", "warn");
        // Every client that closes its socket abruptly (driver pools, killed test processes) makes
        // MongoExceptionHandler log "Connection reset" with a full stack trace at ERROR. Off by default;
        // re-enable with MONGO_JAVA_OPTS=-Dorg.slf4j.simpleLogger.log.de.bwaldvogel.mongo.wire.MongoExceptionHandler=error
        setDefault("org.slf4j.simpleLogger.log.de.bwaldvogel.mongo.wire.MongoExceptionHandler", "off");

        String mode = "stack";
        String host = "127.0.0.1";
        int port = 27017;
        String dataFile = null;

        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--mode":
                    mode = requireValue(args, ++i, arg);
                    break;
                case "--host":
                    host = requireValue(args, ++i, arg);
                    break;
                case "--port":
                    port = Integer.parseInt(requireValue(args, ++i, arg));
                    break;
                case "--data-file":
                    dataFile = requireValue(args, ++i, arg);
                    break;
                case "-h":
                case "--help":
                    System.out.println("usage: MongoStandIn [--mode test|memory|stack] [--host H] [--port P] [--data-file F]");
                    System.out.println("  --mode test     in memory, documents stored as encoded BSON byte[] (data lost on stop)");
                    System.out.println("  --mode memory   mongo-java-server's MemoryBackend, documents as Java objects (data lost on stop)");
                    System.out.println("  --mode stack    H2 file backend in --data-file (default)");
                    return;
                default:
                    System.err.println("MongoStandIn: unknown argument: " + arg);
                    System.exit(2);
            }
        }

        final MongoBackend backend;
        final String description;
        switch (mode) {
            case "test":
                backend = new CompactBackend();
                description = "in-memory backend, documents stored as BSON byte[] (data is lost on stop)";
                break;
            case "memory":
                backend = new MemoryBackend();
                description = "mongo-java-server memory backend (data is lost on stop)";
                break;
            case "stack":
                if (dataFile == null) {
                    System.err.println("MongoStandIn: --mode stack needs --data-file");
                    System.exit(2);
                }
                File file = new File(dataFile).getAbsoluteFile();
                File dir = file.getParentFile();
                if (dir != null && !dir.isDirectory() && !dir.mkdirs()) {
                    System.err.println("MongoStandIn: cannot create directory " + dir);
                    System.exit(2);
                }
                backend = new IdIndexH2Backend(file.getPath());
                description = "H2 file backend " + file.getPath();
                break;
            default:
                System.err.println("MongoStandIn: --mode must be 'test', 'memory' or 'stack', got: " + mode);
                System.exit(2);
                return;
        }
        backend.version(ServerVersion.MONGO_5_0);

        final MongoServer server = new MongoServer(backend);
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("MongoStandIn: shutting down");
            try {
                // shutdown() closes client connections and the backend (H2 commits and closes the file).
                server.shutdown();
            } catch (RuntimeException e) {
                System.out.println("MongoStandIn: error during shutdown: " + e);
            }
            System.out.println("MongoStandIn: stopped");
            System.out.flush();
            stopped.countDown();
        }, "mongo-stand-in-shutdown"));

        try {
            server.bind(host, port);
        } catch (RuntimeException e) {
            System.err.println("MongoStandIn: cannot listen on " + host + ":" + port + ": " + e);
            System.exit(3);
        }
        System.out.println("MongoStandIn: listening on " + host + ":" + port + ", mode=" + mode + ", " + description
                + ", reported server version 5.0.0 (maxWireVersion " + ServerVersion.MONGO_5_0.getWireVersion() + ")");
        System.out.flush();
        stopped.await();
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    private static String requireValue(String[] args, int index, String name) {
        if (index >= args.length) {
            System.err.println("MongoStandIn: " + name + " needs a value");
            System.exit(2);
        }
        return args[index];
    }

    // ---------------------------------------------------------------------------------------------
    // --mode test: the compact in-memory backend
    // ---------------------------------------------------------------------------------------------

    /**
     * In-memory backend whose collections keep every document as its encoded BSON {@code byte[]}.
     *
     * <p>Same behaviour as {@link MemoryBackend} (unique indexes are {@link MemoryUniqueIndex}, query
     * matching, update operators, cursors, aggregation and commands all come from the shared
     * mongo-java-server base classes); only the document storage differs. {@code MemoryBackend} /
     * {@code MemoryDatabase} cannot simply be subclassed because their factory methods have the covariant
     * return types {@code MemoryDatabase} / {@code MemoryCollection}, so the same small amount of glue
     * is repeated here on top of the abstract base classes.
     */
    static final class CompactBackend extends AbstractMongoBackend {

        CompactBackend() {
            super();
        }

        @Override
        protected MongoDatabase openOrCreateDatabase(String databaseName) {
            return new CompactDatabase(databaseName, getCursorRegistry());
        }
    }

    /** Counterpart of {@code MemoryDatabase} that creates {@link CompactCollection}s. */
    static final class CompactDatabase extends AbstractSynchronizedMongoDatabase<Integer> {

        CompactDatabase(String databaseName, CursorRegistry cursorRegistry) {
            super(databaseName, cursorRegistry);
            initializeNamespacesAndIndexes();
        }

        @Override
        protected MongoCollection<Integer> openOrCreateCollection(String collectionName, CollectionOptions options) {
            return new CompactCollection(this, collectionName, options, cursorRegistry);
        }

        @Override
        protected Index<Integer> openOrCreateUniqueIndex(String collectionName, String indexName, List<IndexKey> keys,
                                                         boolean sparse) {
            return new MemoryUniqueIndex(indexName, keys, sparse);
        }

        @Override
        protected long getStorageSize() {
            return 0;
        }

        @Override
        protected long getFileSize() {
            return 0;
        }
    }

    /**
     * BSON encoding / decoding of whole documents with mongo-java-server's own wire codec.
     *
     * <p>With {@code -Dtthc.mongo.compress=true} (e.g. in {@code MONGO_JAVA_OPTS}) each stored encoding is
     * deflated (fastest level) behind a 4-byte header holding the BSON length: about half the heap for
     * the 2.1-million-dossier benchmark, at the cost of a deflate per write and an inflate per read.
     * Sizes ({@code collStats}) stay BSON sizes either way.
     */
    static final class BsonCodec {

        static final boolean COMPRESS = Boolean.getBoolean("tthc.mongo.compress");

        /** Reused per thread; replaced when a huge document made it grow beyond this many bytes. */
        private static final int MAX_RETAINED_BUFFER = 1 << 20;
        private static final ThreadLocal<ByteBuf> BUFFER = ThreadLocal.withInitial(() -> Unpooled.buffer(4096));
        private static final ThreadLocal<java.util.zip.Deflater> DEFLATER =
            ThreadLocal.withInitial(() -> new java.util.zip.Deflater(java.util.zip.Deflater.BEST_SPEED));
        private static final ThreadLocal<java.util.zip.Inflater> INFLATER =
            ThreadLocal.withInitial(java.util.zip.Inflater::new);
        private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[64 * 1024]);

        private BsonCodec() {
        }

        static byte[] encode(Document document) {
            ByteBuf buffer = BUFFER.get();
            buffer.clear();
            try {
                BsonEncoder.encodeDocument(document, buffer);
                byte[] bytes = new byte[buffer.readableBytes()];
                buffer.getBytes(buffer.readerIndex(), bytes);
                return COMPRESS ? deflate(bytes) : bytes;
            } finally {
                if (buffer.capacity() > MAX_RETAINED_BUFFER) {
                    buffer.release();
                    BUFFER.set(Unpooled.buffer(4096));
                } else {
                    buffer.clear();
                }
            }
        }

        static Document decode(byte[] stored) {
            byte[] bytes = COMPRESS ? inflate(stored) : stored;
            ByteBuf buffer = Unpooled.wrappedBuffer(bytes);
            try {
                return BsonDecoder.decodeBson(buffer);
            } finally {
                buffer.release();
            }
        }

        /** The BSON size of a stored encoding. */
        static int sizeOf(byte[] stored) {
            return COMPRESS ? rawLength(stored) : stored.length;
        }

        private static int rawLength(byte[] stored) {
            return ((stored[0] & 0xff) << 24) | ((stored[1] & 0xff) << 16) | ((stored[2] & 0xff) << 8) | (stored[3] & 0xff);
        }

        private static byte[] deflate(byte[] bson) {
            java.util.zip.Deflater deflater = DEFLATER.get();
            deflater.reset();
            deflater.setInput(bson);
            deflater.finish();
            byte[] scratch = SCRATCH.get();
            java.io.ByteArrayOutputStream out = null;
            int written = 0;
            while (!deflater.finished()) {
                int n = deflater.deflate(scratch, written, scratch.length - written);
                written += n;
                if (written == scratch.length) {
                    if (out == null) {
                        out = new java.io.ByteArrayOutputStream(scratch.length * 2);
                    }
                    out.write(scratch, 0, written);
                    written = 0;
                }
            }
            byte[] body;
            if (out == null) {
                body = java.util.Arrays.copyOf(scratch, written);
            } else {
                out.write(scratch, 0, written);
                body = out.toByteArray();
            }
            byte[] stored = new byte[4 + body.length];
            stored[0] = (byte) (bson.length >>> 24);
            stored[1] = (byte) (bson.length >>> 16);
            stored[2] = (byte) (bson.length >>> 8);
            stored[3] = (byte) bson.length;
            System.arraycopy(body, 0, stored, 4, body.length);
            return stored;
        }

        private static byte[] inflate(byte[] stored) {
            java.util.zip.Inflater inflater = INFLATER.get();
            inflater.reset();
            inflater.setInput(stored, 4, stored.length - 4);
            byte[] bson = new byte[rawLength(stored)];
            try {
                int read = 0;
                while (read < bson.length) {
                    int n = inflater.inflate(bson, read, bson.length - read);
                    if (n == 0 && (inflater.finished() || inflater.needsInput())) {
                        throw new IllegalStateException("corrupt stored document: " + read + " of " + bson.length + " bytes");
                    }
                    read += n;
                }
            } catch (java.util.zip.DataFormatException e) {
                throw new IllegalStateException("corrupt stored document", e);
            }
            return bson;
        }
    }

    /**
     * Read-only list view that decodes an encoded document on every {@link #get}. Query results and the
     * cursors built from them hold these (a snapshot of the encoded documents), not decoded copies.
     */
    static final class DecodingList extends AbstractList<Document> implements RandomAccess {
        private final List<byte[]> encoded;

        DecodingList(List<byte[]> encoded) {
            this.encoded = encoded;
        }

        @Override
        public Document get(int index) {
            return BsonCodec.decode(encoded.get(index));
        }

        @Override
        public int size() {
            return encoded.size();
        }
    }

    /**
     * Collection storing each document as encoded BSON. Positions are slot numbers in {@link #slots}
     * ({@code null} = free slot, reused first-in first-out like {@code MemoryCollection}), so the natural
     * order of documents is the same as with the memory backend.
     *
     * <p>{@link #getDocument} returns a freshly decoded copy, hence {@link #handleUpdate} stores the
     * encoding of the updated document. The data size (collStats {@code size}) is the sum of the stored
     * encodings, which is what the memory backend computes with {@code Utils.calculateSize}.
     */
    static final class CompactCollection extends AbstractSynchronizedMongoCollection<Integer> {

        private final ArrayList<byte[]> slots = new ArrayList<>();
        private final ArrayDeque<Integer> freeSlots = new ArrayDeque<>();
        /**
         * String {@code _id}s in order, for {@code _id} range reads ({@link IdRange}): built on the first such read
         * (collections never read that way pay nothing), then kept up to date.
         */
        private java.util.TreeMap<String, Integer> stringIds;
        private long dataSize;

        CompactCollection(MongoDatabase database, String collectionName, CollectionOptions options,
                          CursorRegistry cursorRegistry) {
            super(database, collectionName, options, cursorRegistry);
        }

        // Sizes are tracked here from the byte[] lengths instead of re-encoding documents in the base class.
        @Override
        protected boolean tracksDataSize() {
            return false;
        }

        @Override
        protected synchronized void updateDataSize(int sizeDelta) {
            dataSize += sizeDelta;
        }

        /** {@code collStats}: the library's figures, with {@code size} and {@code avgObjSize} from the 64-bit total. */
        @Override
        public synchronized Document getStats() {
            Document stats = super.getStats();
            int count = count();
            stats.put("size", dataSize);
            stats.put("avgObjSize", count == 0 ? 0 : dataSize / count);
            return stats;
        }

        /** The library's API is an int: capped at 2^31 - 1 here, the exact total is in {@link #getStats()}. */
        @Override
        protected synchronized int getDataSize() {
            return (int) Math.min(Integer.MAX_VALUE, dataSize);
        }

        @Override
        protected Integer addDocumentInternal(Document document) {
            byte[] bytes = BsonCodec.encode(document);
            Integer position = freeSlots.poll();
            if (position == null) {
                position = slots.size();
                slots.add(bytes);
            } else {
                slots.set(position, bytes);
            }
            dataSize += BsonCodec.sizeOf(bytes);
            Object id = document.get("_id");
            if (stringIds != null && id instanceof String) {
                stringIds.put((String) id, position);
            }
            return position;
        }

        @Override
        protected Document getDocument(Integer position) {
            byte[] bytes = slots.get(position);
            return bytes == null ? null : BsonCodec.decode(bytes);
        }

        @Override
        protected void removeDocument(Integer position) {
            byte[] old = slots.set(position, null);
            if (old != null) {
                dataSize -= BsonCodec.sizeOf(old);
                freeSlots.add(position);
                Object id = stringIds == null ? null : BsonCodec.decode(old).get("_id");
                if (id instanceof String) {
                    stringIds.remove((String) id, position);
                }
            }
        }

        @Override
        protected void handleUpdate(Integer position, Document oldDocument, Document newDocument) {
            byte[] bytes = BsonCodec.encode(newDocument);
            byte[] old = slots.set(position, bytes);
            dataSize += BsonCodec.sizeOf(bytes) - (old == null ? 0 : BsonCodec.sizeOf(old));
        }

        @Override
        public synchronized int count() {
            return slots.size() - freeSlots.size();
        }

        @Override
        public synchronized boolean isEmpty() {
            return count() == 0;
        }

        /** Like {@code MemoryCollection}: the slot holding a document equal to the given one. */
        @Override
        protected Integer findDocumentPosition(Document document) {
            for (int i = 0; i < slots.size(); i++) {
                byte[] bytes = slots.get(i);
                if (bytes != null && document.equals(BsonCodec.decode(bytes))) {
                    return i;
                }
            }
            return null;
        }

        @Override
        protected Stream<DocumentWithPosition<Integer>> streamAllDocumentsWithPosition() {
            return IntStream.range(0, slots.size())
                .filter(i -> slots.get(i) != null)
                .mapToObj(i -> new DocumentWithPosition<>(BsonCodec.decode(slots.get(i)), i));
        }

        /** Full scan in natural order ({@code $natural: -1} reverses it), as {@code MemoryCollection}. */
        @Override
        protected QueryResult matchDocuments(Document query, Document orderBy, int numberToSkip, int limit,
                                             int batchSize, Document fieldSelector) {
            final boolean descending = isNaturalDescending(orderBy);
            final int size = slots.size();
            Iterator<byte[]> scan = new Iterator<>() {
                private int next = descending ? size - 1 : 0;

                @Override
                public boolean hasNext() {
                    return descending ? next >= 0 : next < size;
                }

                @Override
                public byte[] next() {
                    byte[] bytes = slots.get(next);
                    next += descending ? -1 : 1;
                    return bytes;
                }
            };
            return matchEncoded(scan, query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
        }

        /**
         * Index lookup: the positions delivered by an index, in the index's order.
         *
         * <p>When the query is nothing but {@code {_id: v}} or {@code {_id: {$in: [v, ...]}}} with plain
         * values (strings, numbers, ObjectIds), the {@code _id} index has answered it exactly, and the
         * documents are neither decoded nor matched again: the library's matcher checks {@code $in} with
         * a linear search of the list, so a {@code $in} of 2,000 ids cost 2,000 &times; 2,000 comparisons
         * (the services read every batch's documents that way).
         */
        @Override
        protected QueryResult matchDocuments(Document query, Iterable<Integer> positions, Document orderBy,
                                             int numberToSkip, int limit, int batchSize, Document fieldSelector) {
            if (answeredByIdIndex(query)) {
                // Exact: each found document once, not decoded or matched again.
                List<byte[]> found = new ArrayList<>();
                for (Integer position : new java.util.LinkedHashSet<>(heldPositions(positions))) {
                    found.add(slots.get(position));
                }
                return matchEncoded(found.iterator(), null, orderBy, numberToSkip, limit, batchSize, fieldSelector);
            }
            List<byte[]> candidates = new ArrayList<>();
            for (Integer position : positions) {
                candidates.add(position == null ? null : slots.get(position));
            }
            return matchEncoded(candidates.iterator(), query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
        }

        /** The positions that hold a document, in the index's order. */
        private List<Integer> heldPositions(Iterable<Integer> positions) {
            List<Integer> held = new ArrayList<>();
            for (Integer position : positions) {
                if (position != null && position < slots.size() && slots.get(position) != null) {
                    held.add(position);
                }
            }
            return held;
        }

        /**
         * Same steps as {@code AbstractMongoCollection.matchDocumentsFromStream} (filter, stable sort, skip,
         * limit, projection, first batch + cursor), but only the encodings of the matching documents are kept:
         * a sort compares small documents holding just the top-level fields named in the sort spec, and the
         * result list decodes lazily. A large result set therefore costs about its BSON size, as the stored data.
         */
        private QueryResult matchEncoded(Iterator<byte[]> source, Document query, Document orderBy, int numberToSkip,
                                         int limit, int batchSize, Document fieldSelector) {
            Comparator<Document> comparator = deriveComparator(orderBy);
            List<byte[]> matching = new ArrayList<>();
            List<Document> sortKeys = comparator == null ? null : new ArrayList<>();
            while (source.hasNext()) {
                byte[] bytes = source.next();
                if (bytes == null) {
                    continue;
                }
                if (query == null && sortKeys == null) {
                    matching.add(bytes);
                    continue;
                }
                Document document = BsonCodec.decode(bytes);
                if (query != null && !documentMatchesQuery(document, query)) {
                    continue;
                }
                matching.add(bytes);
                if (sortKeys != null) {
                    sortKeys.add(sortKey(document, orderBy));
                }
            }
            if (comparator != null) {
                Integer[] order = new Integer[matching.size()];
                for (int i = 0; i < order.length; i++) {
                    order[i] = i;
                }
                // java.util.Arrays.sort on objects is stable, like Stream.sorted on an ordered stream.
                java.util.Arrays.sort(order, (a, b) -> comparator.compare(sortKeys.get(a), sortKeys.get(b)));
                List<byte[]> sorted = new ArrayList<>(order.length);
                for (Integer i : order) {
                    sorted.add(matching.get(i));
                }
                matching = sorted;
            }
            int from = numberToSkip > 0 ? Math.min(numberToSkip, matching.size()) : 0;
            int to = limit > 0 ? (int) Math.min((long) from + limit, matching.size()) : matching.size();
            if (from > 0 || to < matching.size()) {
                matching = new ArrayList<>(matching.subList(from, to));
            }
            if (fieldSelector != null && !fieldSelector.keySet().isEmpty()) {
                // The projection class is package-private: let the base class project the (already filtered,
                // sorted and limited) documents with a match-all query.
                Stream<Document> decoded = matching.stream().map(BsonCodec::decode);
                return matchDocumentsFromStream(decoded, new Document(), null, 0, 0, batchSize, fieldSelector);
            }
            return createQueryResult(new DecodingList(matching), batchSize);
        }

        /**
         * A query with an {@code _id} equality (or {@code $in}) of plain values AND further conditions, e.g. the
         * services' fenced writes {@code {_id: c, version: 7}} or {@code {_id: c, "w.3": {$not: {$gte: 41}}}}: the
         * library's indexes only handle a query whose keys are exactly the index's, so it scanned the whole
         * collection. Here the {@code _id} index finds the candidates (at most one per id) and the whole query is
         * matched against them, as MongoDB's query planner does with the {@code _id} index.
         */
        @Override
        protected QueryResult queryDocuments(Document query, Document orderBy, int numberToSkip, int limit,
                                             int batchSize, Document fieldSelector) {
            Index<Integer> index = idIndexBeside(query, getIndexes());
            if (index != null) {
                return matchDocuments(query, index.getPositions(idPartOf(query)), orderBy, numberToSkip, limit,
                    batchSize, fieldSelector);
            }
            IdRange range = IdRange.of(query, orderBy);
            if (range != null) {
                if (stringIds == null) {
                    java.util.TreeMap<String, Integer> ids = new java.util.TreeMap<>();
                    for (int i = 0; i < slots.size(); i++) {
                        byte[] bytes = slots.get(i);
                        Object id = bytes == null ? null : BsonCodec.decode(bytes).get("_id");
                        if (id instanceof String) {
                            ids.put((String) id, i);
                        }
                    }
                    stringIds = ids;
                }
                return matchDocuments(query, range.positions(stringIds, numberToSkip, limit), orderBy, numberToSkip,
                    limit, batchSize, fieldSelector);
            }
            return super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
        }

        /** {@code {_id: v}} or {@code {_id: {$in: [...]}}} with plain values only: the _id index's answer is exact. */
        static boolean answeredByIdIndex(Document query) {
            if (query.size() != 1 || !query.containsKey("_id")) {
                return false;
            }
            Object condition = query.get("_id");
            if (condition instanceof Document) {
                Document operators = (Document) condition;
                if (operators.size() != 1 || !(operators.get("$in") instanceof java.util.Collection)) {
                    return false;
                }
                for (Object value : (java.util.Collection<?>) operators.get("$in")) {
                    if (!isPlainValue(value)) {
                        return false;
                    }
                }
                return true;
            }
            return isPlainValue(condition);
        }

        private static boolean isPlainValue(Object value) {
            return value instanceof String || value instanceof Integer || value instanceof Long
                || value instanceof Double || value instanceof de.bwaldvogel.mongo.bson.ObjectId;
        }

        /** The top-level fields the sort spec refers to ({@code "a.b"} keeps all of {@code a}). */
        private static Document sortKey(Document document, Document orderBy) {
            Document key = new Document();
            for (String path : orderBy.keySet()) {
                if (path.startsWith("$")) {
                    return document;
                }
                int dot = path.indexOf('.');
                String field = dot < 0 ? path : path.substring(0, dot);
                if (document.containsKey(field)) {
                    key.put(field, document.get(field));
                }
            }
            return key;
        }
    }

    /**
     * A query whose {@code _id} condition is a range of strings ({@code $gt}/{@code $gte}/{@code $lt}/{@code $lte}
     * with string bounds), sorted by {@code _id} or not sorted, possibly with further conditions, e.g. a page of an
     * index collection {@code find({_id: {$gte: "P|", $lt: "P|2026-12-05"}}).sort({_id: 1}).limit(50)}: the
     * candidates are the string ids of the range, walked in order from an ordered set of the collection's string ids
     * (as MongoDB walks its {@code _id} index), instead of a scan of the collection. Without further conditions only
     * the first skip + limit ids are taken; with them, every id of the range (each matched). A range only matches
     * strings (MongoDB's type bracketing), so ids of other types are not candidates.
     */
    static final class IdRange {
        private final String lower;
        private final boolean lowerInclusive;
        private final String upper;
        private final boolean upperInclusive;
        private final boolean descending;
        private final boolean exact;

        private IdRange(String lower, boolean lowerInclusive, String upper, boolean upperInclusive, boolean descending,
                        boolean exact) {
            this.lower = lower;
            this.lowerInclusive = lowerInclusive;
            this.upper = upper;
            this.upperInclusive = upperInclusive;
            this.descending = descending;
            this.exact = exact;
        }

        /** The range of such a query, or null when the query is not one. */
        static IdRange of(Document query, Document orderBy) {
            Object condition = query.get("_id");
            if (!(condition instanceof Document) || ((Document) condition).isEmpty()) {
                return null;
            }
            boolean descending = false;
            if (orderBy != null && !orderBy.isEmpty()) {
                if (orderBy.size() != 1 || !(orderBy.get("_id") instanceof Number)) {
                    return null;
                }
                int direction = ((Number) orderBy.get("_id")).intValue();
                if (direction != 1 && direction != -1) {
                    return null;
                }
                descending = direction == -1;
            }
            String lower = null;
            String upper = null;
            boolean lowerInclusive = true;
            boolean upperInclusive = true;
            for (java.util.Map.Entry<String, Object> entry : ((Document) condition).entrySet()) {
                if (!(entry.getValue() instanceof String)) {
                    return null;
                }
                String value = (String) entry.getValue();
                switch (entry.getKey()) {
                    case "$gte":
                    case "$gt":
                        if (lower != null) {
                            return null;
                        }
                        lower = value;
                        lowerInclusive = entry.getKey().equals("$gte");
                        break;
                    case "$lte":
                    case "$lt":
                        if (upper != null) {
                            return null;
                        }
                        upper = value;
                        upperInclusive = entry.getKey().equals("$lte");
                        break;
                    default:
                        return null;
                }
            }
            return new IdRange(lower, lowerInclusive, upper, upperInclusive, descending, query.size() == 1);
        }

        /** The ids of the range in the query's order: the first skip + limit of them when the range is the whole query. */
        <P> List<P> positions(java.util.NavigableMap<String, P> ids, int numberToSkip, int limit) {
            java.util.NavigableMap<String, P> range = ids;
            if (lower != null && upper != null) {
                if (lower.compareTo(upper) > 0) {
                    return List.of();
                }
                range = range.subMap(lower, lowerInclusive, upper, upperInclusive);
            } else if (lower != null) {
                range = range.tailMap(lower, lowerInclusive);
            } else if (upper != null) {
                range = range.headMap(upper, upperInclusive);
            }
            if (descending) {
                range = range.descendingMap();
            }
            long wanted = exact && limit > 0 ? (long) Math.max(numberToSkip, 0) + limit : Long.MAX_VALUE;
            List<P> positions = new ArrayList<>();
            for (P position : range.values()) {
                if (positions.size() >= wanted) {
                    break;
                }
                positions.add(position);
            }
            return positions;
        }
    }

    /** The {@code _id} condition of a query, alone. */
    static Document idPartOf(Document query) {
        return new Document("_id", query.get("_id"));
    }

    /**
     * The {@code _id} index, when a query has an {@code _id} equality (or {@code $in}) of plain values beside
     * further conditions: its candidates are then found by that index and the whole query is matched against
     * them (as MongoDB's planner does); null otherwise. The library's indexes only handle a query whose keys are
     * exactly the index's, so such a query scanned the whole collection.
     */
    static <P> Index<P> idIndexBeside(Document query, List<Index<P>> indexes) {
        if (query.size() < 2 || !query.containsKey("_id")) {
            return null;
        }
        Document byId = idPartOf(query);
        if (!CompactCollection.answeredByIdIndex(byId)) {
            return null;
        }
        for (Index<P> index : indexes) {
            if (index.canHandle(byId)) {
                return index;
            }
        }
        return null;
    }

    // --mode stack: the library's H2 file backend, with the same _id lookups beside further conditions

    static final class IdIndexH2Backend extends H2Backend {
        IdIndexH2Backend(String fileName) {
            super(fileName);
        }

        @Override
        protected MongoDatabase openOrCreateDatabase(String databaseName) {
            return new IdIndexH2Database(databaseName, getCursorRegistry());
        }

        /**
         * An inner class: its collections are opened by the superclass constructor already (before a field of
         * its own could be set), so the store comes from the enclosing backend.
         */
        final class IdIndexH2Database extends H2Database {
            IdIndexH2Database(String databaseName, CursorRegistry cursorRegistry) {
                super(databaseName, getMvStore(), cursorRegistry);
            }

            /** As {@code H2Database.openOrCreateCollection}, with {@link IdIndexH2Collection}. */
            @Override
            protected MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
                String fullCollectionName = getFullCollectionNamespace(collectionName);
                MVMap<Object, Document> dataMap = getMvStore().openMap("databases." + fullCollectionName);
                MVMap<String, Object> metaMap = getMvStore().openMap("meta." + fullCollectionName);
                return new IdIndexH2Collection(this, collectionName, options, dataMap, metaMap, cursorRegistry);
            }
        }
    }

    static final class IdIndexH2Collection extends H2Collection {
        private final MVMap<Object, Document> dataMap;
        /**
         * String {@code _id}s in order (a document's position in the H2 map is its {@code _id}), for {@code _id}
         * range reads ({@link IdRange}); built from the map's keys on the first such read, then kept up to date.
         */
        private java.util.TreeMap<String, Object> stringIds;

        IdIndexH2Collection(MongoDatabase database, String collectionName, CollectionOptions options,
                            MVMap<Object, Document> dataMap, MVMap<String, Object> metaMap,
                            CursorRegistry cursorRegistry) {
            super(database, collectionName, options, dataMap, metaMap, cursorRegistry);
            this.dataMap = dataMap;
        }

        @Override
        protected Object addDocumentInternal(Document document) {
            Object position = super.addDocumentInternal(document);
            if (stringIds != null && position instanceof String) {
                stringIds.put((String) position, position);
            }
            return position;
        }

        @Override
        protected void removeDocument(Object position) {
            super.removeDocument(position);
            if (stringIds != null && position instanceof String) {
                stringIds.remove(position);
            }
        }

        @Override
        protected QueryResult queryDocuments(Document query, Document orderBy, int numberToSkip, int limit,
                                             int batchSize, Document fieldSelector) {
            Index<Object> index = idIndexBeside(query, getIndexes());
            if (index != null) {
                return matchDocuments(query, index.getPositions(idPartOf(query)), orderBy, numberToSkip, limit,
                    batchSize, fieldSelector);
            }
            IdRange range = IdRange.of(query, orderBy);
            if (range != null) {
                if (stringIds == null) {
                    java.util.TreeMap<String, Object> ids = new java.util.TreeMap<>();
                    for (Object key : dataMap.keySet()) {
                        if (key instanceof String) {
                            ids.put((String) key, key);
                        }
                    }
                    stringIds = ids;
                }
                return matchDocuments(query, range.positions(stringIds, numberToSkip, limit), orderBy, numberToSkip,
                    limit, batchSize, fieldSelector);
            }
            return super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
        }
    }
}
