using AtomicUpdate.Agent.Cli;
using AtomicUpdate.Agent.Service;
using AtomicUpdate.Agent.Tests.Support;

namespace AtomicUpdate.Agent.Tests.Cli;

public sealed class InstallProgressViewTests
{
    private static readonly InstallTicket Ticket = new("tx-1", "1.1.0");

    [Fact]
    public void A_terminal_line_shows_phase_bar_bytes_rate_and_eta()
    {
        var status = FakeAgentController.Progress(Ticket, "Downloading", 512L << 20, 1L << 30, phase: "receive");

        var line = InstallProgressView.Line(status);

        Assert.Equal("Downloading/receive      [############............]  50% 512.0 MiB/1.0 GiB 1.0 MiB/s ETA 0:12", line);
    }

    [Fact]
    public void On_a_terminal_the_line_is_redrawn_in_place_and_each_phase_keeps_its_last_line()
    {
        var output = new StringWriter();
        var terminal = new StringWriter();
        var view = new InstallProgressView(output, terminal, isTerminal: true);

        view.Show(FakeAgentController.Progress(Ticket, "Downloading", 100, 1000));
        view.Show(FakeAgentController.Progress(Ticket, "Downloading", 900, 1000));
        view.Show(FakeAgentController.Progress(Ticket, "Deployed", 1000, 1000));
        view.Finish();

        Assert.Empty(output.ToString());
        var text = terminal.ToString();
        Assert.Equal(3, text.Split('\r').Length - 1);
        Assert.Equal(2, text.Split('\n').Length - 1);
        Assert.Contains("\u001b[K", text);
    }

    [Fact]
    public void Without_a_terminal_each_step_is_one_plain_line()
    {
        var output = new StringWriter();
        var view = new InstallProgressView(output, TextWriter.Null, isTerminal: false);

        view.Show(FakeAgentController.Progress(Ticket, "Downloading", 100, 1000));
        view.Show(FakeAgentController.Progress(Ticket, "Downloading", 900, 1000));
        view.Show(FakeAgentController.Progress(Ticket, "TrialArmed", 1000, 1000));

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("Downloading 1.1.0: 10%", lines[0]);
        Assert.StartsWith("TrialArmed 1.1.0", lines[1]);
    }
}
