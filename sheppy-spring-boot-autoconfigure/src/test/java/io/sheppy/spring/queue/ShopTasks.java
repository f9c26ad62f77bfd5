package io.sheppy.spring.queue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.sheppy.spring.annotation.SheppyTask;

/**
 * Task methods of every shape that the producer API creates tasks of: 0 to 3 parameters, with and without results,
 * with records as arguments and results.
 *
 * @author Sheppy for Spring
 */
class ShopTasks {

	final List<String> calls = new CopyOnWriteArrayList<>();

	@SheppyTask(name = "shop:ping")
	String ping() {
		return "pong";
	}

	@SheppyTask(name = "shop:refresh")
	void refresh() {
		this.calls.add("refresh");
	}

	@SheppyTask(name = "shop:price", queue = "pricing", retry = 3, retryDelay = { "1s", "10s" }, timeout = "30s",
			ttl = "1h")
	double price(Item item) {
		return item.quantity() * 1.5;
	}

	@SheppyTask(name = "shop:log")
	void log(String message) {
		this.calls.add("log " + message);
	}

	@SheppyTask(name = "shop:reserve", queue = "stock")
	Reservation reserve(String sku, int quantity) {
		return new Reservation(sku, quantity, true);
	}

	@SheppyTask(name = "shop:announce")
	void announce(String to, String subject) {
		this.calls.add("announce " + to + " " + subject);
	}

	@SheppyTask(name = "shop:split", queue = "stock")
	List<Item> split(Item item, int parts, boolean evenly) {
		List<Item> items = new ArrayList<>();
		for (int i = 0; i < parts; i++) {
			items.add(new Item(item.sku(), evenly ? item.quantity() / parts : i));
		}
		return items;
	}

	@SheppyTask(name = "shop:audit")
	void audit(String who, int count, Item item) {
		this.calls.add("audit " + who + " " + count + " " + item);
	}

	@SheppyTask(name = "shop:describe")
	Map<String, Object> describe(Item item) {
		return Map.of("sku", item.sku(), "quantity", item.quantity());
	}

	String notATask(String value) {
		return value;
	}

	static String shout(ShopTasks tasks) {
		return "static";
	}

	record Item(String sku, int quantity) {
	}

	record Reservation(String sku, int quantity, boolean confirmed) {
	}

}
