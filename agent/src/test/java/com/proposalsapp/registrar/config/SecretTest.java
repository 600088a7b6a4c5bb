package com.proposalsapp.registrar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecretTest {

  @TempDir Path dir;

  @Test
  void neverPrintsItsValue() {
    Secret s = new Secret("hunter2");

    assertThat(s.toString()).doesNotContain("hunter2").contains("****");
    assertThat(String.valueOf(java.util.List.of(s))).doesNotContain("hunter2");
    assertThat(s.value()).isEqualTo("hunter2");
  }

  @Test
  void mustNotBeEmpty() {
    assertThatIllegalArgumentException().isThrownBy(() -> new Secret(""));
    assertThatIllegalArgumentException().isThrownBy(() -> new Secret(null));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"hunter2", "hunter2\n", "hunter2\r\n", "hunter2\nsecond line\n", "  hunter2  \n"})
  void readsTheFirstLineOfAFile(String content) throws IOException {
    Path file = Files.writeString(dir.resolve("password"), content);

    assertThat(Secret.fromFile(file).value()).isEqualTo("hunter2");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "\n", "  \n"})
  void anEmptyFileIsAnError(String content) throws IOException {
    Path file = Files.writeString(dir.resolve("password"), content);

    assertThatThrownBy(() -> Secret.fromFile(file)).isInstanceOf(IOException.class);
  }
}
