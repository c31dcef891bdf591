package io.beamline.io.kafka;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.beamline.io.kafka.testing.KafkaBrokerExtension;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A real KRaft broker in this JVM: data round trip, loopback only, transactions, stop, restart. */
class LocalKafkaBrokerTest {
  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** byte[] has identity equals: compare the hex of each value. */
  private static List<String> hex(List<byte[]> values) {
    return values.stream().map(HexFormat.of()::formatHex).collect(Collectors.toList());
  }

  /** All values of a topic on any broker, as hex. */
  private static List<String> valuesOf(LocalKafkaBroker broker, String topic) {
    return hex(KafkaBrokerExtension.consumeAll(broker.bootstrapServers(), topic, false, TIMEOUT));
  }

  private static void assertRefused(int port) {
    assertThrows(
        ConnectException.class,
        () -> {
          try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(LocalKafkaBroker.HOST, port), 2000);
          }
        });
  }

  @Test
  void producedValuesComeBackExactlyAndInOrder() {
    kafka.createTopic("round-trip", 1);
    List<byte[]> values =
        List.of(
            utf8("{\"a\":1}"), new byte[0], new byte[] {0, -1, (byte) 0xC3, 0x28}, utf8("ünï"));

    kafka.produce("round-trip", values);

    assertThat(
        hex(kafka.consumeAll("round-trip", false, TIMEOUT)),
        contains(hex(values).toArray(new String[0])));
  }

  @Test
  void bootstrapAddressAndAdvertisedNodeAreLoopback() throws Exception {
    assertThat(kafka.bootstrapServers(), equalTo("127.0.0.1:" + kafka.broker().port()));
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    try (Admin admin = Admin.create(p)) {
      List<String> hosts =
          admin.describeCluster().nodes().get().stream()
              .map(Node::host)
              .collect(Collectors.toList());
      assertThat(hosts, contains("127.0.0.1"));
    }
  }

  @Test
  void bothListenersAreConfiguredOn127001Only() throws IOException {
    Properties config = new Properties();
    Path file = kafka.broker().dataDir().resolve("server.properties");
    try (InputStream in = Files.newInputStream(file)) {
      config.load(in);
    }
    for (String key : List.of("listeners", "advertised.listeners")) {
      List<String> hosts =
          List.of(config.getProperty(key).split(",")).stream()
              .map(l -> l.replaceAll("^[A-Z]+://", "").replaceAll(":[0-9]+$", ""))
              .collect(Collectors.toList());
      assertThat(key, hosts, everyItem(equalTo("127.0.0.1")));
    }
  }

  @Test
  void thePortIsClosedOnEveryNonLoopbackAddressOfThisMachine() throws IOException {
    List<InetAddress> external =
        Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
            .filter(i -> isUp(i))
            .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
            .filter(a -> !a.isLoopbackAddress() && a instanceof Inet4Address)
            .collect(Collectors.toList());
    assumeFalse(external.isEmpty(), "this machine has no non-loopback IPv4 address");
    for (InetAddress address : external) {
      Exception e =
          assertThrows(
              IOException.class,
              () -> {
                try (Socket s = new Socket()) {
                  s.connect(new InetSocketAddress(address, kafka.broker().port()), 2000);
                }
              },
              "port open on " + address);
      assertThat(e, instanceOf(ConnectException.class));
    }
  }

  private static boolean isUp(NetworkInterface i) {
    try {
      return i.isUp();
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void readCommittedSeesCommittedTransactionsButNotAbortedOnes() throws Exception {
    kafka.createTopic("tx", 2);
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "local-broker-test");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>("tx", utf8("aborted-1")));
      producer.send(new ProducerRecord<>("tx", utf8("aborted-2")));
      producer.flush();
      producer.abortTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>("tx", utf8("committed-1")));
      producer.send(new ProducerRecord<>("tx", utf8("committed-2")));
      producer.commitTransaction();
    }

    assertThat(
        hex(kafka.consumeAll("tx", true, TIMEOUT)),
        containsInAnyOrder(hex(List.of(utf8("committed-1"), utf8("committed-2"))).toArray()));
    assertThat(
        "read_uncommitted still sees the aborted records",
        hex(kafka.consumeAll("tx", false, TIMEOUT)),
        hasItem(HexFormat.of().formatHex(utf8("aborted-1"))));
  }

  @Test
  void closeStopsTheBrokerAndDeletesItsTempDir() {
    LocalKafkaBroker broker = LocalKafkaBroker.start();
    int port = broker.port();
    Path dir = broker.dataDir();
    assertThat(Files.isDirectory(dir), is(true));

    broker.close();

    assertThat(broker.isRunning(), is(false));
    assertThat(Files.exists(dir), is(false));
    assertRefused(port);
  }

  @Test
  void closeKeepsADataDirTheBrokerDidNotCreate(@TempDir Path tmp) {
    Path dir = tmp.resolve("kafka");
    LocalKafkaBroker.builder().dataDir(dir).start().close();

    assertThat(Files.isDirectory(dir.resolve("logs")), is(true));
  }

  @Test
  void twoBrokersRunAtOnceOnDifferentPortsWithSeparateTopics() {
    try (LocalKafkaBroker other = LocalKafkaBroker.start()) {
      assertThat(other.port(), not(equalTo(kafka.broker().port())));
      other.createTopic("only-on-other", 1);
      KafkaBrokerExtension.produce(other.bootstrapServers(), "only-on-other", List.of(utf8("x")));

      assertThat(valuesOf(other, "only-on-other"), contains(HexFormat.of().formatHex(utf8("x"))));
      assertThat(kafka.broker().topicNames(), not(hasItem("only-on-other")));
    }
  }

  @Test
  void stopThenRestartKeepsPortTopicsAndRecords() {
    try (LocalKafkaBroker broker = LocalKafkaBroker.start()) {
      int port = broker.port();
      broker.createTopic("durable", 1);
      KafkaBrokerExtension.produce(broker.bootstrapServers(), "durable", List.of(utf8("before")));

      broker.stop();
      assertRefused(port);
      broker.restart();

      assertThat(broker.port(), equalTo(port));
      KafkaBrokerExtension.produce(broker.bootstrapServers(), "durable", List.of(utf8("after")));
      assertThat(
          valuesOf(broker, "durable"),
          contains(hex(List.of(utf8("before"), utf8("after"))).toArray(new String[0])));
    }
  }

  @Test
  void aNewBrokerOnAnEarlierDataDirAndPortFindsItsTopicsAndRecords(@TempDir Path tmp) {
    Path dir = tmp.resolve("kafka");
    int port;
    try (LocalKafkaBroker first = LocalKafkaBroker.builder().dataDir(dir).start()) {
      port = first.port();
      first.createTopic("kept", 1);
      KafkaBrokerExtension.produce(first.bootstrapServers(), "kept", List.of(utf8("v")));
    }

    try (LocalKafkaBroker second = LocalKafkaBroker.builder().dataDir(dir).port(port).start()) {
      assertThat(second.bootstrapServers(), equalTo("127.0.0.1:" + port));
      assertThat(second.createTopic("kept", 1), is(false));
      assertThat(valuesOf(second, "kept"), contains(HexFormat.of().formatHex(utf8("v"))));
    }
  }

  @Test
  void aTakenPortFailsAtOnceNamingIt(@TempDir Path tmp) throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () -> LocalKafkaBroker.builder().dataDir(tmp.resolve("kafka")).port(port).start());

      assertThat(e.getMessage(), containsString("127.0.0.1:" + port + " is already in use"));
      assertThat(e.getCause(), instanceOf(BindException.class));
    }
  }

  @Test
  void askingForAnUnknownTopicDoesNotCreateIt() {
    assertThrows(
        AssertionError.class,
        () -> kafka.consumeAll("never-created", false, Duration.ofSeconds(2)));
    assertThat(kafka.broker().topicNames(), not(hasItem("never-created")));
  }
}
