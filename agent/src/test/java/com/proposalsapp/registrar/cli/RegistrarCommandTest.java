package com.proposalsapp.registrar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class RegistrarCommandTest {

  @Test
  void aCommandNamedFirstIsTheOnlyOneBuilt() {
    assertThat(RegistrarCommand.commandsFor(new String[] {"run", "--dc", "dc1"}))
        .containsExactly(RunCommand.class);
    assertThat(RegistrarCommand.commandsFor(new String[] {"switchover", "--dry-run"}))
        .containsExactly(SwitchoverCommand.class);
  }

  @Test
  void helpNoCommandOrAMistypedOneBuildsThemAll() {
    List<Class<?>> all = RegistrarCommand.commandsFor(new String[0]);
    assertThat(all).hasSize(9).contains(RunCommand.class, CommandLine.HelpCommand.class);
    assertThat(RegistrarCommand.commandsFor(new String[] {"help", "run"})).isEqualTo(all);
    assertThat(RegistrarCommand.commandsFor(new String[] {"--help"})).isEqualTo(all);
    assertThat(RegistrarCommand.commandsFor(new String[] {"rn"})).isEqualTo(all);
  }

  @Test
  void helpForACommandStillFindsIt() {
    assertThat(RegistrarCommand.execute(new String[] {"help", "status"}, name -> null))
        .isEqualTo(ExitCode.OK);
    assertThat(RegistrarCommand.execute(new String[] {"help", "nosuch"}, name -> null))
        .isEqualTo(ExitCode.USAGE);
  }
}
