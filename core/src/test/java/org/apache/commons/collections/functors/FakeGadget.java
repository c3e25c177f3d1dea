package org.apache.commons.collections.functors;

import java.io.Serial;
import java.io.Serializable;

/** Stands for a deserialization gadget: its package is on the filter's deny list. */
public record FakeGadget(String command) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
}
