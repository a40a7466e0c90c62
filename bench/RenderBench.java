import io.thalassa.Backend;
import io.thalassa.Balance;
import io.thalassa.Frontend;
import io.thalassa.Member;
import io.thalassa.Rule;
import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.HaproxyConfigRenderer;
import io.thalassa.haproxy.HaproxySettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Render benchmark harness (run by bench/render.sh): builds a model of B backends x M members, warms the renderer,
 * then times R renders and prints the median. Writes the rendered file for haproxy -c.
 * Usage: RenderBench <backends> <members> <out.cfg> <repeats>
 */
public class RenderBench {
    public static void main(String[] args) throws Exception {
        int backends = Integer.parseInt(args[0]);
        int members = Integer.parseInt(args[1]);
        Path out = Path.of(args[2]);
        int repeats = Integer.parseInt(args[3]);
        ThalassaConfig config = model(backends, members);
        HaproxyConfigRenderer renderer = HaproxyConfigRenderer.defaultTemplate();
        HaproxySettings settings = HaproxySettings.builder().statsSocket(out.resolveSibling("bench.sock")).build();
        long warmUntil = System.nanoTime() + 3_000_000_000L;
        int warm = 0;
        while (System.nanoTime() < warmUntil || warm < 3) {
            renderer.render(config, settings);
            warm++;
        }
        double[] ms = new double[repeats];
        String text = null;
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            text = renderer.render(config, settings).text();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        Files.writeString(out, text);
        System.out.printf("backends=%d servers=%d render_ms=%.1f min_ms=%.1f max_ms=%.1f bytes=%d%n", backends,
                backends * members, ms[repeats / 2], ms[0], ms[repeats - 1], text.length());
    }

    static ThalassaConfig model(int backends, int members) {
        List<Backend> bs = new ArrayList<>(backends);
        List<Frontend> fs = new ArrayList<>();
        Frontend.Builder web = Frontend.builder("web").bind("127.0.0.1:18000").defaultBackend("app-0");
        for (int b = 0; b < backends; b++) {
            List<Member> ms = new ArrayList<>(members);
            for (int m = 0; m < members; m++) {
                ms.add(Member.registered("app-" + b, "1.0." + (b % 7), "127.0." + (b / 250 % 250 + 1) + "."
                        + (b % 250 + 1), 10000 + m, Instant.ofEpochMilli(1_700_000_000_000L), Map.of("pid", m)));
            }
            bs.add(Backend.dynamic("app-" + b).service("app-" + b, "1.0." + (b % 7))
                    .balance(b % 3 == 0 ? Balance.SOURCE : Balance.ROUNDROBIN)
                    .health(h -> h.uri("/health")).members(ms).build());
            if (b % 10 == 0) {
                web.rule(Rule.pathBegins("/app-" + b + "/", "app-" + b));
            }
        }
        fs.add(web.build());
        return ThalassaConfig.of(fs, bs);
    }
}
