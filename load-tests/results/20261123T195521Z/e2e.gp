set terminal pngcairo size 1000,380 font 'sans,10'
set output '/work/wt-e2e-after/load-tests/results/20261123T195521Z/e2e.png'
set multiplot layout 1,1 title '4. order -> WebSocket notification latency (ms) by orders/s'
set style data histograms; set style histogram clustered gap 1; set style fill solid 0.85 border -1
set datafile missing '?'; set datafile separator '\t'; set key outside right top; set grid ytics
set yrange [0:*]; set xtics rotate by -20
set ylabel 'ms'
plot for [c=2:3] '/work/wt-e2e-after/load-tests/results/20261123T195521Z/e2e.dat.1' using c:xtic(1) title columnheader(c)
unset multiplot
