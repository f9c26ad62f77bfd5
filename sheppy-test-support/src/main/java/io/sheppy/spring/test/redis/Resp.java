package io.sheppy.spring.test.redis;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import org.jspecify.annotations.Nullable;

/**
 * A minimal RESP client over a raw socket, enough to ping, flush and shut down a server without a Redis library.
 */
final class Resp {

	private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);

	private static final Duration POLL_INTERVAL = Duration.ofMillis(25);

	private Resp() {
	}

	/**
	 * Send one command and read its reply: the line of a simple string, error or integer reply with its type prefix
	 * ({@code +PONG}, {@code -ERR ...}, {@code :1}), or the content of a bulk string reply.
	 * @param host the host
	 * @param port the port
	 * @param timeout the connect and read timeout
	 * @param args the command and its arguments
	 * @return the reply
	 * @throws IOException if the server cannot be reached or closes the connection without a reply
	 */
	static String send(String host, int port, Duration timeout, String... args) throws IOException {
		try (Socket socket = new Socket()) {
			int millis = (int) timeout.toMillis();
			socket.connect(new InetSocketAddress(host, port), millis);
			socket.setSoTimeout(millis);
			OutputStream out = socket.getOutputStream();
			out.write(encode(args));
			out.flush();
			return readReply(socket.getInputStream());
		}
	}

	static boolean ping(String host, int port) {
		try {
			return "+PONG".equals(send(host, port, Duration.ofSeconds(1), "PING"));
		}
		catch (IOException ex) {
			return false;
		}
	}

	static boolean isPortOpen(String host, int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(host, port), 500);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	static void flushAll(String host, int port) {
		try {
			String reply = send(host, port, COMMAND_TIMEOUT, "FLUSHALL");
			if (!"+OK".equals(reply)) {
				throw new IllegalStateException("FLUSHALL on " + host + ":" + port + " failed: " + reply);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("FLUSHALL on " + host + ":" + port + " failed", ex);
		}
	}

	/**
	 * Wait until the server answers {@code PING} with {@code +PONG}; a server that loads its AOF answers
	 * {@code -LOADING} and is not ready yet.
	 * @param host the host
	 * @param port the port
	 * @param timeout how long to wait
	 * @return {@code true} if the server answered in time
	 */
	static boolean awaitPing(String host, int port, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!ping(host, port)) {
			if (System.nanoTime() - deadline > 0) {
				return false;
			}
			pause();
		}
		return true;
	}

	static boolean awaitPortClosed(String host, int port, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (isPortOpen(host, port)) {
			if (System.nanoTime() - deadline > 0) {
				return false;
			}
			pause();
		}
		return true;
	}

	static void pause() {
		LockSupport.parkNanos(POLL_INTERVAL.toNanos());
	}

	private static byte[] encode(String... args) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		writeAscii(out, "*" + args.length + "\r\n");
		for (String arg : args) {
			byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
			writeAscii(out, "$" + bytes.length + "\r\n");
			out.writeBytes(bytes);
			writeAscii(out, "\r\n");
		}
		return out.toByteArray();
	}

	private static void writeAscii(ByteArrayOutputStream out, String text) {
		out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
	}

	private static String readReply(InputStream in) throws IOException {
		String line = readLine(in);
		if (line == null) {
			throw new EOFException("Connection closed without a reply");
		}
		if (line.startsWith("$")) {
			int length = Integer.parseInt(line.substring(1));
			if (length < 0) {
				return line;
			}
			byte[] content = in.readNBytes(length + 2);
			if (content.length < length + 2) {
				throw new EOFException("Connection closed in a bulk reply");
			}
			return new String(content, 0, length, StandardCharsets.UTF_8);
		}
		return line;
	}

	private static @Nullable String readLine(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int previous = -1;
		int current;
		while ((current = in.read()) != -1) {
			if (previous == '\r' && current == '\n') {
				byte[] bytes = line.toByteArray();
				return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
			}
			line.write(current);
			previous = current;
		}
		return null;
	}

}
