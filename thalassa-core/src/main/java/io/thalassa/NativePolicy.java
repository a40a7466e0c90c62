package io.thalassa;

import io.thalassa.internal.NativeAllowList;
import java.util.List;

/**
 * What raw configuration directives ("natives") of frontends and backends may do. {@link #SAFE} (the daemon's
 * default) allows the directives of HAProxy 2.6's proxy sections that shape traffic (acl, http-request,
 * http-response, tcp-request, option, timeout, server, stick-table...) and refuses any that opens a listener
 * ({@code bind}), reads or writes a file ({@code errorfile}, {@code ... file <path>}, {@code acl ... -f <path>},
 * {@code map(<file>)}, {@code crt}, {@code ca-file}), loads or runs code ({@code lua.*}, {@code external-check}),
 * reads the environment ({@code env()}, {@code "${VAR}"}), or changes process-wide settings (anything of
 * {@code global}, {@code stats}, {@code log} other than {@code log global}); {@link #UNRESTRICTED} allows any single
 * directive, as before.
 *
 * <pre>{@code
 * NativePolicy.SAFE.check(frontend);   // InvalidValueException naming the native and the reason
 * }</pre>
 */
public enum NativePolicy {
    /** The allow-list: natives that cannot open a listener, touch a file, load code or change the process. */
    SAFE,
    /** Any one directive per native (still one line inside its own section): the operator's choice. */
    UNRESTRICTED;

    /**
     * @throws InvalidValueException with field {@code natives[i]}, the native and the reason, for the first native
     *                               this policy refuses
     */
    public void check(Frontend frontend) {
        check("frontend", frontend.key(), frontend.natives());
    }

    /** @throws InvalidValueException as {@link #check(Frontend)} */
    public void check(Backend backend) {
        check("backend", backend.key(), backend.natives());
    }

    /** @throws InvalidValueException as {@link #check(Frontend)}, for every frontend and backend */
    public void check(ThalassaConfig config) {
        config.frontends().values().forEach(this::check);
        config.backends().values().forEach(this::check);
    }

    private void check(String section, String key, List<String> natives) {
        if (this == UNRESTRICTED) {
            return;
        }
        for (int i = 0; i < natives.size(); i++) {
            String why = NativeAllowList.refusal(section, natives.get(i));
            if (why != null) {
                throw new InvalidValueException("natives[" + i + "]", natives.get(i), section + " " + key
                        + ": natives[" + i + "] " + quote(natives.get(i)) + " is not allowed: " + why
                        + " (the daemon's --unsafeNatives allows it)");
            }
        }
    }

    private static String quote(String s) {
        return io.thalassa.internal.Checks.quote(s);
    }
}
