package io.thalassa.runtime.internal;

import java.io.ByteArrayOutputStream;

/**
 * The little DER it takes to read the private keys HAProxy reads and Java's key factories do not: a PKCS#1 RSA key or
 * a SEC1 EC key wrapped in a PKCS#8 {@code PrivateKeyInfo}. Pure.
 */
final class Der {
    /** The DER of OID 1.2.840.113549.1.1.1 (rsaEncryption). */
    static final byte[] RSA_ENCRYPTION = {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01,
        0x01, 0x01};
    /** The DER of OID 1.2.840.10045.2.1 (id-ecPublicKey). */
    static final byte[] EC_PUBLIC_KEY = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

    private Der() {
    }

    /**
     * {@code PrivateKeyInfo ::= SEQUENCE { version 0, AlgorithmIdentifier { algorithm, parameters }, key OCTET STRING }}
     * with {@code parameters} the DER given (a curve's OID), or NULL when none.
     */
    static byte[] pkcs8(byte[] algorithm, byte[] parameters, byte[] key) {
        byte[] params = parameters != null ? parameters : new byte[] {0x05, 0x00};
        return tlv(0x30, concat(new byte[] {0x02, 0x01, 0x00}, tlv(0x30, concat(algorithm, params)), tlv(0x04, key)));
    }

    /**
     * The named curve of a SEC1 {@code ECPrivateKey ::= SEQUENCE { version, privateKey OCTET STRING,
     * [0] parameters OPTIONAL, [1] publicKey OPTIONAL }}: the DER of its OID.
     *
     * @throws IllegalArgumentException when the key names no curve (the caller reports it)
     */
    static byte[] ecCurve(byte[] sec1) {
        int[] seq = header(sec1, 0); // {tag end, content start, content end}
        int at = seq[1];
        while (at < seq[2]) {
            int[] h = header(sec1, at);
            if ((sec1[at] & 0xff) == 0xa0) {
                int[] oid = header(sec1, h[1]);
                byte[] out = new byte[oid[2] - h[1]];
                System.arraycopy(sec1, h[1], out, 0, out.length);
                return out;
            }
            at = h[2];
        }
        throw new IllegalArgumentException("the EC key names no curve");
    }

    /** Where the element at {@code at} begins, its content begins and its content ends. */
    private static int[] header(byte[] der, int at) {
        if (at + 2 > der.length) {
            throw new IllegalArgumentException("DER cut short");
        }
        int len = der[at + 1] & 0xff;
        int start = at + 2;
        if (len >= 0x80) {
            int n = len & 0x7f;
            if (n < 1 || n > 3 || start + n > der.length) {
                throw new IllegalArgumentException("DER length not understood");
            }
            len = 0;
            for (int i = 0; i < n; i++) {
                len = len << 8 | der[start + i] & 0xff;
            }
            start += n;
        }
        if (start + len > der.length) {
            throw new IllegalArgumentException("DER cut short");
        }
        return new int[] {at, start, start + len};
    }

    private static byte[] tlv(int tag, byte[] content) {
        int n = content.length;
        ByteArrayOutputStream out = new ByteArrayOutputStream(n + 6);
        out.write(tag);
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else if (n < 0x10000) {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n);
        } else {
            out.write(0x83);
            out.write(n >> 16);
            out.write(n >> 8);
            out.write(n);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
