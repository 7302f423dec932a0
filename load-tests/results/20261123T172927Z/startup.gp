set terminal pngcairo size 1000,380 font 'sans,10'
set output '/work/wt2/load-tests/results/20261123T172927Z/startup.png'
set multiplot layout 1,1 title '6. start-up to readiness (s): no cache, cache trained to refresh, cache trained on a workload'
set style data histograms; set style histogram clustered gap 1; set style fill solid 0.85 border -1
set datafile missing '?'; set datafile separator '\t'; set key outside right top; set grid ytics
set yrange [0:*]; set xtics rotate by -20
set ylabel 's'
plot for [c=2:4] '/work/wt2/load-tests/results/20261123T172927Z/startup.dat.1' using c:xtic(1) title columnheader(c)
unset multiplot
