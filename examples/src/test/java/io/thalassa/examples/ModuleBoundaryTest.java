package io.thalassa.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The module boundary, as {@code module-info.java} would draw it with qualified exports: each library module's
 * {@code internal} packages are its own, and another module may use one only where this table exports it to that
 * module. (The modules are automatic modules, named in their manifests: the daemon's shaded jar and consul-client's
 * split packages make real module descriptors more trouble than they are worth; this test keeps the same promise.)
 */
class ModuleBoundaryTest {
    /** The qualified exports: an internal package, and the other modules that may use it. */
    private static final Map<String, Set<String>> EXPORTS = Map.of(
            // the model's checks and event delivery, shared by every module that takes user input or has listeners
            "io.thalassa.internal", Set.of("thalassa-haproxy", "thalassa-consul", "thalassa-zookeeper", "thalassa-dns",
                    "thalassa-http-adapter"),
            // the one home of the stored items' JSON, which the adapter's parser builds on
            "io.thalassa.runtime.internal", Set.of("thalassa-http-adapter"));

    private static final Pattern INTERNAL = Pattern.compile("\\bio\\.thalassa\\.((?:[a-z]+\\.)*?)internal\\b");
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void noModuleUsesAnotherModulesInternalPackagesUnlessExportedToIt() throws IOException {
        Map<String, String> owner = owners();
        List<String> violations = new ArrayList<>();
        for (Path module : modules()) {
            String name = module.getFileName().toString();
            for (Path file : javaFiles(module.resolve("src/main/java"))) {
                Matcher m = INTERNAL.matcher(Files.readString(file, StandardCharsets.UTF_8));
                while (m.find()) {
                    String pkg = "io.thalassa." + m.group(1) + "internal";
                    String home = owner.get(pkg);
                    if (home != null && !home.equals(name) && !EXPORTS.getOrDefault(pkg, Set.of()).contains(name)) {
                        violations.add(ROOT.relativize(file) + " uses " + pkg + " of " + home);
                    }
                }
            }
        }
        assertThat(violations).as("imports of another module's internal packages").isEmpty();
        assertThat(owner).as("internal packages found").containsKeys("io.thalassa.internal",
                "io.thalassa.haproxy.internal", "io.thalassa.runtime.internal", "io.thalassa.http.internal");
    }

    @Test
    void everyPackageOfTheLibrarySaysWhatLivesThere() throws IOException {
        List<String> missing = new ArrayList<>();
        for (Path module : modules()) {
            Path src = module.resolve("src/main/java");
            for (Path file : javaFiles(src)) {
                Path info = file.getParent().resolve("package-info.java");
                if (!Files.exists(info)) {
                    missing.add(ROOT.relativize(file.getParent()).toString());
                }
            }
        }
        assertThat(missing.stream().distinct().toList()).as("packages without package-info.java").isEmpty();
    }

    @Test
    void theLibraryJarNamesItsModule() throws IOException {
        // in a build that packages (mvn verify), the library is on the test classpath as its jar
        Path jar = Path.of(io.thalassa.runtime.Thalassa.class.getProtectionDomain().getCodeSource().getLocation()
                .getPath());
        if (Files.isRegularFile(jar)) {
            try (JarFile j = new JarFile(jar.toFile())) {
                Manifest m = j.getManifest();
                assertThat(m.getMainAttributes().getValue("Automatic-Module-Name")).isEqualTo("io.thalassa.haproxy");
            }
        } else { // mvn test: classes, no jar yet; the name is the build's
            assertThat(Files.readString(ROOT.resolve("thalassa-haproxy/pom.xml")))
                    .contains("<automatic.module.name>io.thalassa.haproxy</automatic.module.name>");
        }
    }

    /** The library's modules and the examples, those under examples/ (the Spring Boot application) included. */
    private static List<Path> modules() throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path parent : List.of(ROOT, ROOT.resolve("examples"))) {
            try (Stream<Path> dirs = Files.list(parent)) {
                dirs.filter(d -> Files.isDirectory(d.resolve("src/main/java")))
                        .filter(d -> d.getFileName().toString().startsWith("thalassa-")
                                || d.getFileName().toString().equals("examples") || parent.endsWith("examples"))
                        .forEach(out::add);
            }
        }
        return out.stream().sorted().toList();
    }

    /** Every internal package and the module it lives in. */
    private static Map<String, String> owners() throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (Path module : modules()) {
            Path src = module.resolve("src/main/java");
            for (Path file : javaFiles(src)) {
                String pkg = src.relativize(file.getParent()).toString().replace('/', '.');
                if (pkg.endsWith(".internal")) {
                    out.put(pkg, module.getFileName().toString());
                }
            }
        }
        return out;
    }

    private static List<Path> javaFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
    }
}
