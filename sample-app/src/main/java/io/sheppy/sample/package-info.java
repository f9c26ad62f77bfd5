/**
 * A small web application that runs demo tasks through the Sheppy starter and shows their state over HTTP.
 */
@NullMarked
package io.sheppy.sample;

import org.jspecify.annotations.NullMarked;
