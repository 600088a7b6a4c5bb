package com.proposalsapp.registrar.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** README's option tables say what the declarations say: every flag, its variables, its default. */
class ReadmeOptionsTest {

  private static final List<String> ROWS = rows();

  static Stream<Opt<?>> options() {
    return Stream.of(Options.SWITCHOVER, Options.ROUTE).flatMap(List::stream).distinct();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("options")
  void everyOptionHasARowWithItsVariablesAndDefault(Opt<?> o) {
    String flag = o.isToggle() ? "--[no-]" + o.flag().substring(2) : o.flag();
    List<String> rows =
        ROWS.stream()
            .filter(r -> r.contains("`" + flag + "`"))
            .filter(
                r -> o.env().isEmpty() || r.contains("as for `run`") || r.contains(o.env().get(0)))
            .toList();

    assertThat(rows).as("a README row for %s", o.flag()).isNotEmpty();
    String row = rows.get(0);
    if (!row.contains("as for `run`")) {
      for (String env : o.env()) {
        assertThat(row).as("the variables of %s", o.flag()).contains("`" + env + "`");
      }
      if (o.defaultValue() != null) {
        assertThat(row).as("the default of %s", o.flag()).contains("`" + o.defaultValue() + "`");
      }
    }
  }

  private static List<String> rows() {
    try {
      return Files.readAllLines(Path.of("..", "README.md")).stream()
          .filter(l -> l.startsWith("| `--"))
          .toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
