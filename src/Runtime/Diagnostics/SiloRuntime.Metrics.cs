using System.Diagnostics.Metrics;

namespace Atelier.Runtime;

/// <summary>What the runtime's observable instruments read at collection time (see <see cref="Diagnostics.RuntimeMetrics"/>).</summary>
public sealed partial class SiloRuntime
{
    internal List<Measurement<int>> ObserveQueues() => ObservePerType(static a => a.QueueLength);

    internal List<Measurement<int>> ObserveActivations() => ObservePerType(static _ => 1);

    private List<Measurement<int>> ObservePerType(Func<ActivationData, int> value)
    {
        var totals = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var activation in _activations.Values)
        {
            var type = activation.GrainClass.Interface.ShortName;
            totals[type] = totals.GetValueOrDefault(type) + value(activation);
        }

        var result = new List<Measurement<int>>(totals.Count);
        foreach (var (type, total) in totals)
        {
            result.Add(new Measurement<int>(total, new KeyValuePair<string, object?>("grain_type", type)));
        }

        return result;
    }
}
