package io.thalassa.haproxy;

import io.thalassa.Backend;
import io.thalassa.Bind;
import io.thalassa.Frontend;
import io.thalassa.KeepAlive;
import io.thalassa.Mode;
import io.thalassa.Rule;
import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.internal.ChangePlanner;
import io.thalassa.haproxy.internal.ConfigWords;
import io.thalassa.haproxy.internal.Fingerprint;
import io.thalassa.internal.Checks;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.stringtemplate.v4.AutoIndentWriter;
import org.stringtemplate.v4.ST;
import org.stringtemplate.v4.STErrorListener;
import org.stringtemplate.v4.STGroup;
import org.stringtemplate.v4.STGroupFile;
import org.stringtemplate.v4.misc.STCompiletimeMessage;
import org.stringtemplate.v4.misc.STMessage;
import org.stringtemplate.v4.misc.STRuntimeMessage;

/**
 * Renders a {@link ThalassaConfig} to haproxy.cfg text with a StringTemplate 4 group file, deterministically: the same
 * model, settings and layout always give the same bytes.
 *
 * <p>The template must define {@code config(settings, frontends, backends)}. Values arrive already checked and, where
 * they are user text, quoted for haproxy.cfg; nothing is HTML-escaped. The attributes are maps:
 * <ul>
 *   <li>{@code settings}: {@code statsSocket}, {@code pidFile}, {@code serverStateFile}, {@code masterWorker},
 *       {@code daemon}, {@code statsBind}, {@code statsAuth}, {@code user}, {@code group}, {@code logTarget},
 *       {@code globalMaxconn}, {@code defaultsMaxconn}, {@code timeoutConnectMs}, {@code timeoutClientMs},
 *       {@code timeoutServerMs}, {@code timeoutHttpRequestMs}, {@code timeoutHttpKeepAliveMs},
 *       {@code timeoutTunnelMs}, {@code hardStopAfterMs}, {@code mworkerMaxReloads},
 *       {@code idleCloseOnResponse}, {@code noReusePort} (absent values are null, so {@code <if(...)>} works);</li>
 *   <li>{@code frontends}, sorted by key: {@code key}, {@code bind}, {@code mode}, {@code keepalive},
 *       {@code defaultBackend} (null when that backend does not exist), {@code options} (list of words after
 *       {@code option}: {@code httplog} when logging, the keep-alive option, {@code idle-close-on-response}),
 *       {@code rules} (list of {@code acl}, {@code criterion}, {@code value} (quoted, and after {@code --} when it
 *       begins with {@code -}, so HAProxy does not read it as an ACL flag), {@code backend}; routes to missing
 *       backends left out), {@code natives};</li>
 *   <li>{@code backends}, sorted by key: {@code key}, {@code type}, {@code name}, {@code version}, {@code mode},
 *       {@code balance}, {@code hashType} ({@code consistent} for hash balances), {@code hostHeader},
 *       {@code httpchk}, {@code checkHost}, {@code inter} (ms),
 *       {@code natives}, {@code servers} (list of {@code name}, {@code address}, {@code disabled}, {@code weight},
 *       {@code line}, where {@code line} is the whole {@code server} directive, with {@code weight <w>} when the
 *       weight is not HAProxy's default 1), {@code serverLines} (every {@code line},
 *       indented, one per line: what the default template uses, as iterating 100,000 servers in the template
 *       costs ten times more).</li>
 * </ul>
 * Every value but a server's {@code address}, {@code disabled} and {@code weight}, and a dynamic backend's
 * {@code name} and {@code version}, goes into the section's structural fingerprint
 * ({@link RenderedConfig#fingerprints()}): a custom template may render those five only where the runtime API can
 * change them (server addresses, states and weights; comments). A version split changes weights only, so it never
 * needs a reload.
 */
public final class HaproxyConfigRenderer {
    private static final String DEFAULT_TEMPLATE = "io/thalassa/haproxy/haproxy.stg";
    /** The key of the fingerprint of {@code global}, {@code defaults} and {@code listen stats}: all from settings. */
    public static final String SETTINGS_SECTION = "settings";

    private final STGroup group;
    private final String templateName;

    private HaproxyConfigRenderer(STGroup group, String templateName) {
        this.group = group;
        this.templateName = templateName;
    }

    /** The renderer with Thalassa's default template. */
    public static HaproxyConfigRenderer defaultTemplate() {
        URL url = HaproxyConfigRenderer.class.getClassLoader().getResource(DEFAULT_TEMPLATE);
        if (url == null) {
            throw new IllegalStateException("default template " + DEFAULT_TEMPLATE + " is missing from the classpath");
        }
        return load(new STGroupFile(url, "UTF-8", '<', '>'), DEFAULT_TEMPLATE);
    }

    /**
     * A renderer with the user's StringTemplate 4 group file ({@code .stg}), which must define
     * {@code config(settings, frontends, backends)}.
     *
     * @throws ConfigTemplateException when the file cannot be read or does not compile, naming the line
     */
    public static HaproxyConfigRenderer fromTemplate(Path stgFile) {
        Checks.notNull("templateFile", stgFile);
        if (!Files.isReadable(stgFile)) {
            throw new ConfigTemplateException("template " + stgFile + " cannot be read", 0);
        }
        return load(new STGroupFile(stgFile.toAbsolutePath().toString(), "UTF-8", '<', '>'), stgFile.toString());
    }

    private static HaproxyConfigRenderer load(STGroup group, String name) {
        ErrorCollector errors = new ErrorCollector();
        group.setListener(errors);
        group.load();
        ST config = group.getInstanceOf("config");
        errors.throwIfAny(name);
        if (config == null || config.impl.formalArguments == null
                || !config.impl.formalArguments.keySet().equals(Set.of("settings", "frontends", "backends"))) {
            throw new ConfigTemplateException("template " + name
                    + " must define config(settings, frontends, backends)", 0);
        }
        return new HaproxyConfigRenderer(group, name);
    }

    /** Renders with one server per member ({@link ServerLayout#PER_MEMBER}). */
    public RenderedConfig render(ThalassaConfig config, HaproxySettings settings) {
        return render(config, settings, ServerLayout.PER_MEMBER);
    }

    /**
     * Renders the configuration.
     *
     * @throws ConfigTemplateException when the template fails while rendering, naming the line
     */
    public synchronized RenderedConfig render(ThalassaConfig config, HaproxySettings settings, ServerLayout layout) {
        Checks.notNull("config", config);
        Checks.notNull("settings", settings);
        Checks.notNull("layout", layout);
        List<String> warnings = new ArrayList<>();
        Map<String, String> fingerprints = new LinkedHashMap<>();
        Map<String, Object> settingsView = ConfigViews.settingsView(settings, config);
        fingerprints.put(SETTINGS_SECTION, Fingerprint.of(SETTINGS_SECTION, settingsView));
        List<Map<String, Object>> frontends = new ArrayList<>();
        for (Frontend f : config.frontends().values()) {
            Map<String, Object> view = ConfigViews.frontendView(f, config, settings, warnings);
            fingerprints.put(RenderedConfig.frontendSection(f.key()), Fingerprint.of("frontend", view));
            frontends.add(view);
        }
        List<Map<String, Object>> backends = new ArrayList<>();
        for (Backend b : config.backends().values()) {
            backends.add(ConfigViews.backendView(b, layout.servers(b), settings, fingerprints));
        }
        ErrorCollector errors = new ErrorCollector();
        group.setListener(errors);
        ST st = group.getInstanceOf("config");
        st.add("settings", settingsView);
        st.add("frontends", frontends);
        st.add("backends", backends);
        SqueezedText out = new SqueezedText(1024 + 128 * (frontends.size() + backends.size()) + 80 * servers(backends));
        BulkWriter writer = new BulkWriter(out);
        st.write(writer, Locale.ROOT, errors);
        errors.throwIfAny(templateName);
        return new RenderedConfig(out.text(), warnings, fingerprints);
    }

    /**
     * The fingerprint of one backend's section with {@code layout}: what {@link RenderedConfig#fingerprints()} holds
     * for it, computed without rendering anything else.
     */
    String backendFingerprint(Backend backend, ServerLayout layout, HaproxySettings settings) {
        List<ServerLine> lines = layout.servers(backend);
        Fingerprint fp = backendFingerprint(ConfigViews.backendStructure(backend, settings), lines.size());
        for (ServerLine s : lines) {
            fp.addString(s.name());
        }
        return fp.endList().hex();
    }

    /** The section fingerprints this renderer gives with {@code settings}, one section at a time, for planning. */
    ChangePlanner.Sections sections(HaproxySettings settings) {
        return new ChangePlanner.Sections() {
            @Override
            public String backend(Backend backend, List<ServerLine> servers) {
                return backendFingerprint(backend, b -> servers, settings);
            }

            @Override
            public Map<String, String> frontendsAndSettings(ThalassaConfig config) {
                Map<String, String> out = new LinkedHashMap<>();
                out.put(SETTINGS_SECTION, Fingerprint.of(SETTINGS_SECTION, ConfigViews.settingsView(settings,
                        config)));
                for (Frontend f : config.frontends().values()) {
                    out.put(RenderedConfig.frontendSection(f.key()), Fingerprint.of("frontend",
                            ConfigViews.frontendView(f, config, settings, new ArrayList<>())));
                }
                return out;
            }
        };
    }

    /**
     * Everything of a backend's view but its servers' addresses, states and weights (the runtime API changes those):
     * the structure, then the server names in order, which the caller adds one by one and ends with
     * {@link Fingerprint#endList()}.
     */
    static Fingerprint backendFingerprint(Map<String, Object> structure, int servers) {
        return Fingerprint.start("backend").add(structure).beginList(servers);
    }

    private static int servers(List<Map<String, Object>> backends) {
        int n = 0;
        for (Map<String, Object> b : backends) {
            n += ((List<?>) b.get("servers")).size();
        }
        return n;
    }

    /** A server as the template sees it: {@code name}, {@code address}, {@code disabled}, {@code weight}, {@code line}. */
    public static final class ServerView {
        public final String name;
        public final String address;
        public final boolean disabled;
        public final int weight;
        public final String line;

        ServerView(ServerLine s, String checkSuffix) {
            this.name = s.name();
            this.address = s.address();
            this.disabled = s.disabled();
            this.weight = s.weight();
            this.line = "server " + name + " " + address + checkSuffix
                    + (weight == ServerLine.DEFAULT_WEIGHT ? "" : " weight " + weight) + (disabled ? " disabled" : "");
        }
    }

    /**
     * The rendered text as the template writes it, with runs of blank lines collapsed into one, no blank line at the
     * start and exactly one newline at the end, so conditional template sections never leave gaps: squeezed while it
     * is written, into one buffer, so a large file is copied once more only to become a string.
     */
    static final class SqueezedText extends java.io.Writer {
        private final StringBuilder text;
        private int newlines = 2; // newlines in a row just seen; 2 at the start drops leading blank lines

        SqueezedText(int capacity) {
            this.text = new StringBuilder(capacity);
        }

        @Override
        public void write(int c) {
            if (c == '\n') {
                if (newlines < 2) {
                    text.append('\n');
                }
                newlines++;
            } else {
                text.append((char) c);
                newlines = 0;
            }
        }

        @Override
        public void write(String str) {
            write(str, 0, str.length());
        }

        @Override
        public void write(String str, int off, int len) {
            int end = off + len;
            int run = off;
            int at = off;
            int newline;
            while (at < end && (newline = str.indexOf('\n', at)) >= 0 && newline < end) {
                if (newline > at) {
                    newlines = 0;
                }
                if (newlines >= 2) { // a third newline in a row: left out
                    text.append(str, run, newline);
                    run = newline + 1;
                }
                newlines++;
                at = newline + 1;
            }
            if (at < end) {
                newlines = 0;
            }
            text.append(str, run, end);
        }

        @Override
        public void write(char[] chars, int off, int len) {
            write(new String(chars, off, len));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        /** The text, ending with exactly one newline. */
        String text() {
            int n = text.length();
            while (n > 0 && text.charAt(n - 1) == '\n') {
                n--;
            }
            text.setLength(n);
            return text.append('\n').toString();
        }
    }

    /**
     * ST4's indenting writer, but a long string written while no indentation is in force goes out in one call instead
     * of character by character, and no empty indentation is written at each line's start; the output is the same
     * (a string holding a carriage return, which ST4 drops, takes ST4's way). Rendering 100,000 server lines is about
     * seven times faster.
     */
    private static final class BulkWriter extends AutoIndentWriter {
        BulkWriter(java.io.Writer out) {
            super(out, "\n");
        }

        @Override
        public int write(String str) throws java.io.IOException {
            if (str.length() < 128 || anchors_sp != -1 || !noIndentation() || str.indexOf('\r') >= 0) {
                return super.write(str);
            }
            out.write(str);
            int lastNewline = str.lastIndexOf('\n');
            if (lastNewline >= 0) {
                charPosition = str.length() - lastNewline - 1;
            } else {
                charPosition += str.length();
            }
            atStartOfLine = str.charAt(str.length() - 1) == '\n';
            charIndex += str.length();
            return str.length();
        }

        @Override
        public int indent() throws java.io.IOException {
            return anchors_sp == -1 && noIndentation() ? 0 : super.indent();
        }

        private boolean noIndentation() {
            for (String indent : indents) {
                if (indent != null && !indent.isEmpty()) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Collects StringTemplate's errors so they become one exception naming the template and line. */
    private static final class ErrorCollector implements STErrorListener {
        private final List<STMessage> messages = new ArrayList<>();

        @Override
        public void compileTimeError(STMessage msg) {
            messages.add(msg);
        }

        @Override
        public void runTimeError(STMessage msg) {
            messages.add(msg);
        }

        @Override
        public void IOError(STMessage msg) {
            messages.add(msg);
        }

        @Override
        public void internalError(STMessage msg) {
            messages.add(msg);
        }

        void throwIfAny(String template) {
            if (messages.isEmpty()) {
                return;
            }
            STMessage first = messages.get(0);
            int line = lineOf(first);
            throw new ConfigTemplateException("template " + template + (line > 0 ? " line " + line : "") + ": "
                    + first, line);
        }

        /** The line in the template file: ST4 counts lines from the start of the failing template's definition. */
        private static int lineOf(STMessage msg) {
            if (msg instanceof STCompiletimeMessage ct && ct.token != null) {
                return (ct.templateToken == null ? 0 : ct.templateToken.getLine()) + ct.token.getLine();
            }
            if (msg instanceof STRuntimeMessage rt && rt.self != null && rt.self.impl != null
                    && rt.self.impl.templateDefStartToken != null) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+):")
                        .matcher(String.valueOf(rt.getSourceLocation()));
                if (m.find()) {
                    return rt.self.impl.templateDefStartToken.getLine() + Integer.parseInt(m.group(1));
                }
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+):(\\d+)").matcher(String.valueOf(msg));
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        }
    }
}
