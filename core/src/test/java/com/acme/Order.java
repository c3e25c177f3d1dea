package com.acme;

import java.io.Serial;
import java.io.Serializable;

/** An application class outside the library's packages, for tests of the deserialization filter. */
public record Order(String item, int quantity) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
}
