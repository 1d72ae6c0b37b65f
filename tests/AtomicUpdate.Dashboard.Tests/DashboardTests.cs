using System.Globalization;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace AtomicUpdate.Dashboard.Tests;

/// <summary>The dashboard in real headless Chromium against the real au-server and a seeded fleet.</summary>
public sealed class DashboardTests(DashboardFixture fixture, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task Signing_in_shows_the_overview_with_the_seeded_counts()
    {
        var page = await SignedInPageAsync(fixture.AdminKey);

        await Expect(page.Locator("[data-stat=total] .stat-value")).ToHaveTextAsync(DashboardFixture.DeviceCount.ToString(CultureInfo.InvariantCulture));
        foreach (var (state, count) in fixture.Fleet.ByState)
        {
            await Expect(page.Locator($"[data-chart=by-state] .legend li[data-key={state}]")).ToHaveAttributeAsync("data-count", Text(count));
        }
        foreach (var (hardware, count) in fixture.Fleet.ByHardware)
        {
            await Expect(page.Locator($"[data-chart=by-hardware] g.bar[data-key={hardware}]")).ToHaveAttributeAsync("data-count", Text(count));
        }
        foreach (var (channel, count) in fixture.Fleet.ByChannel)
        {
            await Expect(page.Locator($"[data-chart=by-channel] g.bar[data-key={channel}]")).ToHaveAttributeAsync("data-count", Text(count));
        }
        await Expect(page.Locator("[data-stat=rollouts] .stat-value")).ToHaveTextAsync("1");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = $"{DashboardFixture.RolloutVersion} → stable" })).ToBeVisibleAsync();

        var wide = Path.Combine(fixture.ArtifactDirectory, "overview.png");
        await page.ScreenshotAsync(new() { Path = wide, FullPage = true });
        await page.SetViewportSizeAsync(390, 844);
        var phone = Path.Combine(fixture.ArtifactDirectory, "overview-phone.png");
        await page.ScreenshotAsync(new() { Path = phone, FullPage = true });
        output.WriteLine($"Screenshots: {wide} {phone}");
        Console.WriteLine($"Dashboard screenshots: {wide} {phone}");
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_wrong_key_is_refused_with_the_servers_problem_details()
    {
        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync("/");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeHiddenAsync();
        await page.GetByLabel("API key").FillAsync("not-a-key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        var problem = page.Locator(".signin .problem");
        await Expect(problem).ToHaveAttributeAsync("data-status", "401");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        Assert.Null(await page.EvaluateAsync<string?>("sessionStorage.getItem('atomicupdate.apiKey')"));
        await page.CloseAsync();
    }

    [Fact]
    public async Task The_device_table_filters_by_state_hardware_and_text()
    {
        var page = await SignedInPageAsync(fixture.AdminKey);
        await page.GetByRole(AriaRole.Link, new() { Name = "Devices", Exact = true }).ClickAsync();
        var summary = page.Locator(".table-summary");
        await Expect(summary).ToHaveAttributeAsync("data-total", Text(DashboardFixture.DeviceCount));

        await page.GetByLabel("State").SelectOptionAsync("Failed");
        await Expect(summary).ToHaveAttributeAsync("data-total", Text(fixture.Fleet.ByState["Failed"]));
        var states = await page.Locator("table.devices tbody tr td:nth-child(2) .badge").AllTextContentsAsync();
        Assert.Equal(fixture.Fleet.ByState["Failed"], states.Count);
        Assert.All(states, state => Assert.Equal("Failed", state));

        await page.GetByLabel("State").SelectOptionAsync("");
        await page.GetByLabel("Hardware").FillAsync("board-b");
        await Expect(summary).ToHaveAttributeAsync("data-total", Text(fixture.Fleet.ByHardware["board-b"]));

        await page.GetByRole(AriaRole.Button, new() { Name = "Clear" }).ClickAsync();
        await page.GetByLabel("Search").FillAsync(DashboardFixture.DeviceName(7));
        await Expect(summary).ToHaveAttributeAsync("data-total", "1");
        await Expect(page.Locator("table.devices tbody tr")).ToHaveCountAsync(1);
        Assert.Contains("q=" + DashboardFixture.DeviceName(7), page.Url, StringComparison.Ordinal); // the filter lives in the URL
        await page.CloseAsync();
    }

    [Fact]
    public async Task The_device_table_sorts_and_pages()
    {
        var page = await SignedInPageAsync(fixture.AdminKey);
        await page.GotoAsync("/#/devices?pageSize=25");
        var summary = page.Locator(".table-summary");
        await Expect(summary).ToHaveTextAsync($"Showing 1–25 of {DashboardFixture.DeviceCount} devices");

        await page.GetByRole(AriaRole.Button, new() { Name = "Name" }).ClickAsync();
        var firstName = page.Locator("table.devices tbody tr").First.Locator("th");
        await Expect(firstName).ToHaveTextAsync(DashboardFixture.DeviceName(0));
        await Expect(page.Locator("th[aria-sort=ascending]")).ToHaveTextAsync("Name ▲");
        await page.GetByRole(AriaRole.Button, new() { Name = "Name" }).ClickAsync();
        await Expect(firstName).ToHaveTextAsync(DashboardFixture.DeviceName(DashboardFixture.DeviceCount - 1));

        await page.GetByRole(AriaRole.Button, new() { Name = "Next ›" }).ClickAsync();
        await Expect(summary).ToHaveTextAsync($"Showing 26–50 of {DashboardFixture.DeviceCount} devices");
        await Expect(firstName).ToHaveTextAsync(DashboardFixture.DeviceName(DashboardFixture.DeviceCount - 26));
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Next ›" })).ToBeDisabledAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(fixture.ArtifactDirectory, "devices.png"), FullPage = true });
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_device_shows_its_event_timeline()
    {
        var page = await SignedInPageAsync(fixture.AdminKey);
        var name = DashboardFixture.DeviceName(2);
        await page.GotoAsync($"/#/devices/{fixture.Fleet.DeviceIds[name]}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = name, Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator(".timeline li.event")).ToHaveCountAsync(2);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Load older events" })).ToBeHiddenAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(fixture.ArtifactDirectory, "device.png"), FullPage = true });
        await page.CloseAsync();
    }

    [Fact]
    public async Task Pausing_a_rollout_from_the_page_pauses_it_in_the_api()
    {
        var page = await SignedInPageAsync(fixture.AdminKey);
        await page.GetByRole(AriaRole.Link, new() { Name = "Rollouts", Exact = true }).ClickAsync();
        var card = page.Locator($"article[data-rollout-id=\"{fixture.Fleet.RolloutId}\"]");
        await Expect(card).ToHaveAttributeAsync("data-state", "Active");
        await Expect(card.Locator(".phases li")).ToHaveCountAsync(3);

        await card.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
        await Expect(page.Locator($"article[data-rollout-id=\"{fixture.Fleet.RolloutId}\"]")).ToHaveAttributeAsync("data-state", "Paused");
        var rollout = await fixture.Api.GetAsync(fixture.AdminKey, $"api/v1/rollouts/{fixture.Fleet.RolloutId}");
        Assert.Equal("Paused", rollout?["state"]?.GetValue<string>());

        await page.Locator($"article[data-rollout-id=\"{fixture.Fleet.RolloutId}\"]").GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();
        await Expect(page.Locator($"article[data-rollout-id=\"{fixture.Fleet.RolloutId}\"]")).ToHaveAttributeAsync("data-state", "Active");
        rollout = await fixture.Api.GetAsync(fixture.AdminKey, $"api/v1/rollouts/{fixture.Fleet.RolloutId}");
        Assert.Equal("Active", rollout?["state"]?.GetValue<string>());
        await page.ScreenshotAsync(new() { Path = Path.Combine(fixture.ArtifactDirectory, "rollouts.png"), FullPage = true });
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_viewer_who_presses_pause_sees_the_403_and_the_rollout_goes_on()
    {
        var page = await SignedInPageAsync(fixture.ViewerKey);
        await page.GotoAsync("/#/rollouts");
        var card = page.Locator($"article[data-rollout-id=\"{fixture.Fleet.RolloutId}\"]");
        await card.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();

        var problem = card.Locator(".problem");
        await Expect(problem).ToHaveAttributeAsync("data-status", "403");
        Assert.False(string.IsNullOrWhiteSpace(await problem.Locator(".problem-detail").TextContentAsync()));
        var rollout = await fixture.Api.GetAsync(fixture.AdminKey, $"api/v1/rollouts/{fixture.Fleet.RolloutId}");
        Assert.NotEqual("Paused", rollout?["state"]?.GetValue<string>());
        await page.CloseAsync();
    }

    [Fact]
    public async Task Polling_revalidates_with_etags_and_gets_304()
    {
        var page = await SignedInPageAsync(fixture.AdminKey);
        var notModified = page.WaitForResponseAsync(
            response => response.Url.Contains("/api/v1/fleet/summary", StringComparison.Ordinal) && response.Status == 304,
            new() { Timeout = 15_000 });
        Assert.Equal(304, (await notModified).Status);
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_rollout_is_created_from_the_form_and_aborted_and_a_refusal_shows_its_problem()
    {
        var page = await SignedInPageAsync(fixture.AdminKey);
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync(); // the abort confirmation
        await page.GetByRole(AriaRole.Link, new() { Name = "Rollouts", Exact = true }).ClickAsync();
        var form = page.Locator("section[aria-labelledby=new-rollout-title]");

        // A release the repository never signed: the server's 422 is shown with its detail.
        await form.GetByLabel("Channel").FillAsync("beta");
        await form.GetByLabel("Release", new() { Exact = true }).FillAsync("9.9");
        await form.GetByLabel("Phases").FillAsync("100%");
        await form.GetByRole(AriaRole.Button, new() { Name = "Create rollout" }).ClickAsync();
        await Expect(form.Locator(".problem")).ToHaveAttributeAsync("data-status", "422");
        await Expect(form.Locator(".problem .problem-detail")).ToContainTextAsync("9.9");

        await form.GetByLabel("Release", new() { Exact = true }).FillAsync(DashboardFixture.RolloutVersion);
        await form.GetByRole(AriaRole.Button, new() { Name = "Create rollout" }).ClickAsync();
        await Expect(form.Locator(".ok")).ToContainTextAsync("created");
        var card = page.Locator("article[data-rollout-id]", new() { HasText = $"{DashboardFixture.RolloutVersion} → beta" });
        await Expect(card).ToHaveAttributeAsync("data-state", "Active");

        await card.GetByRole(AriaRole.Button, new() { Name = "Abort" }).ClickAsync();
        await Expect(card).ToHaveAttributeAsync("data-state", "Aborted");
        await Expect(card.GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
        var id = await card.GetAttributeAsync("data-rollout-id");
        var rollout = await fixture.Api.GetAsync(fixture.AdminKey, $"api/v1/rollouts/{id}");
        Assert.Equal("Aborted", rollout?["state"]?.GetValue<string>());
        await page.CloseAsync();
    }

    [Fact]
    public async Task Signing_out_forgets_the_key()
    {
        var page = await SignedInPageAsync(fixture.AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        Assert.Null(await page.EvaluateAsync<string?>("sessionStorage.getItem('atomicupdate.apiKey')"));
        await page.GotoAsync("/#/devices");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_hidden_tab_stops_polling_and_refreshes_when_shown_again()
    {
        var page = await SignedInPageAsync(fixture.AdminKey);
        var requests = 0;
        page.Request += (_, request) =>
        {
            if (request.Url.Contains("/api/v1/", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref requests);
            }
        };
        // Headless Chromium has no window to hide: the page is told it is hidden the way a browser tells it.
        await page.EvaluateAsync("""
            () => {
              Object.defineProperty(document, 'hidden', { configurable: true, get: () => window.__hidden === true });
              window.__hidden = true;
              document.dispatchEvent(new Event('visibilitychange'));
            }
            """);
        await Expect(page.Locator("#refresh-status")).ToHaveTextAsync("Paused while hidden");
        Interlocked.Exchange(ref requests, 0);
        await page.WaitForTimeoutAsync(6_000);
        Assert.Equal(0, Volatile.Read(ref requests));

        var refreshed = page.WaitForResponseAsync(response => response.Url.Contains("/api/v1/fleet/summary", StringComparison.Ordinal));
        await page.EvaluateAsync("() => { window.__hidden = false; document.dispatchEvent(new Event('visibilitychange')); }");
        await refreshed;
        await page.CloseAsync();
    }

    private async Task<IPage> SignedInPageAsync(string key)
    {
        var page = await fixture.Browser.NewPageAsync();
        page.PageError += (_, error) => output.WriteLine($"page error: {error}");
        await page.GotoAsync("/");
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Fleet overview" })).ToBeVisibleAsync();
        return page;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
