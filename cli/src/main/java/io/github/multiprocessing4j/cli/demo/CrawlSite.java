package io.github.multiprocessing4j.cli.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The site the coroutines demo crawls: {@code pages} pages on 127.0.0.1 served by the JDK's
 * {@code com.sun.net.httpserver}, page {@code i} linking to pages {@code fanout*i+1 ... fanout*i+fanout}
 * (a tree), each answered after {@code latencyMillis} — the round trip a real site would cost, which is
 * what makes concurrency pay. Requests are handled on virtual threads, so the server is never the limit.
 */
final class CrawlSite implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
    private final int pages;
    private final int fanout;
    private final long latencyMillis;

    private CrawlSite(int pages, int fanout, long latencyMillis) throws IOException {
        this.pages = pages;
        this.fanout = fanout;
        this.latencyMillis = latencyMillis;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        server.createContext("/page/", this::handle);
        server.setExecutor(handlers);
    }

    static CrawlSite start(int pages, int fanout, long latencyMillis) throws IOException {
        CrawlSite site = new CrawlSite(pages, fanout, latencyMillis);
        site.server.start();
        return site;
    }

    URI page(int i) {
        return page(port(), i);
    }

    /** Page {@code i} of the site on {@code port} of 127.0.0.1, as a crawl in another JVM addresses it. */
    static URI page(int port, int i) {
        return URI.create("http://127.0.0.1:" + port + "/page/" + i);
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            int i;
            try {
                i = Integer.parseInt(path.substring("/page/".length()));
            } catch (NumberFormatException e) {
                i = -1;
            }
            if (i < 0 || i >= pages) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            Thread.sleep(latencyMillis);
            StringBuilder html = new StringBuilder("<html><body><h1>Page ").append(i).append("</h1>\n");
            for (int j = fanout * i + 1; j <= fanout * i + fanout && j < pages; j++) {
                html.append("<a href=\"/page/").append(j).append("\">page ").append(j).append("</a>\n");
            }
            byte[] body = html.append("</body></html>\n").toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.close();
    }
}
