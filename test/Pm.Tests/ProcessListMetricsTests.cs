using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;

namespace Pm.Tests;

public sealed class ProcessListMetricsTests
{
    [Fact]
    public void Meter_Pm_ReportsStartsFinishesDurationsKillsAndActiveTasks()
    {
        using var factory = new TestMeterFactory();
        var time = new FakeTimeProvider();
        using var list = new ProcessList(new ProcessListOptions { MeterFactory = factory, TimeProvider = time });
        var measurements = new List<(string Name, double Value, string? Tag)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == factory && instrument.Meter.Name == "Pm")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
            measurements.Add((instrument.Name, value, tags.Length == 0 ? null : $"{tags[0].Key}={tags[0].Value}"));
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        listener.Start();

        var ended = list.Start("ended");
        using var running = list.Start("running");
        var killed = list.Start("killed");
        var aborted = list.Start("aborted");
        list.Start("forbidden", options: new TaskOptions { ForbidKill = true });
        time.Advance(TimeSpan.FromSeconds(1.5));
        ended.Dispose();
        list.Kill("killed");
        list.Kill("forbidden");
        list.Kill("missing");
        time.Advance(TimeSpan.FromSeconds(0.5));
        killed.Done(Assert.Throws<TaskKilledException>(killed.ThrowIfKilled));
        aborted.Done(new InvalidOperationException());
        listener.RecordObservableInstruments();

        Assert.Equal(5, measurements.Count(m => m.Name == "pm.tasks.started"));
        Assert.Equal(
            ["pm.task.outcome=aborted", "pm.task.outcome=ended", "pm.task.outcome=killed"],
            measurements.Where(m => m.Name == "pm.tasks.finished").Select(m => m.Tag).Order());
        Assert.Contains(("pm.task.duration", 1.5, "pm.task.outcome=ended"), measurements);
        Assert.Contains(("pm.task.duration", 2.0, "pm.task.outcome=killed"), measurements);
        Assert.Contains(("pm.task.kill.time_to_honour", 0.5, null), measurements);
        Assert.Equal(
            ["pm.kill.result=forbidden", "pm.kill.result=killed", "pm.kill.result=not_found"],
            measurements.Where(m => m.Name == "pm.kill.requests").Select(m => m.Tag).Order());
        Assert.Contains(("pm.tasks.active", 2, null), measurements);
    }
}
