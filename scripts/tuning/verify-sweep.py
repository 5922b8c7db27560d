#!/usr/bin/env python3
"""The search behind verify's rules (issue 16): replays an `obscura-eval verify` dump under many
thresholds and redaction tests at once (vectorised; verify-eval.py scores one rule at a time).

    python3 scripts/tuning/verify-sweep.py dump.jsonl A     # half A only (the tuning half)

Columns: fa = reported faces overlapping no labelled face on default outputs, pf = reports on
painted labelled faces, flagged = outputs with any report, orig / lo = hit rates (%) on
originals and on left-out outputs, for `verify` alone and for `anonymize --verify`.
"""
import json, sys, math, itertools
import numpy as np
def iou(a,b):
    w=max(0,min(a[0]+a[2],b[0]+b[2])-max(a[0],b[0]));h=max(0,min(a[1]+a[3],b[1]+b[3])-max(a[1],b[1]));i=w*h;u=a[2]*a[3]+b[2]*b[3]-i;return i/u if u>0 else 0
def ov(a,b): return min(a[0]+a[2],b[0]+b[2])>max(a[0],b[0]) and min(a[1]+a[3],b[1]+b[3])>max(a[1],b[1])
def ellipse_share(box, painted):
    x0,y0=int(box[0]),int(box[1]); x1,y1=int(math.ceil(box[0]+box[2])),int(math.ceil(box[1]+box[3]))
    if x1<=x0 or y1<=y0: return 0
    ys,xs=np.mgrid[y0:y1,x0:x1]; m=np.zeros(xs.shape,bool)
    for p in painted:
        if not ov(p,box): continue
        rx,ry=p[2]/2,p[3]/2
        m|=((xs+0.5-p[0]-rx)/rx)**2+((ys+0.5-p[1]-ry)/ry)**2<=1
    return m.mean()
D=[]  # rows: features
groups={'orig':[], 'out':[], 'lo':[]}
outputs=0; covered=0
import hashlib, os
FACES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../shared/eval/faces")
def half_of(path):
    with open(os.path.join(FACES, path), "rb") as f:
        return "A" if hashlib.sha256(f.read()).digest()[0] % 2 == 0 else "B"
HALF = sys.argv[2] if len(sys.argv) > 2 else "A"
for l in map(json.loads, open(sys.argv[1])):
    if half_of(l["file"]) != HALF:
        continue
    for v in l['variants']:
        base=len(D)
        for d in v['detections']:
            e=d['evidence']
            D.append([d['score'],e['meanGradient'],e['fillShare'],e['columnConcentration'],e['rowConcentration'],min(e['columnGrid'],e['rowGrid']),e['flatShare'],d['maskCentral'],1.0 if d['centreInPainted'] else 0.0])
        idx=range(base,len(D))
        if v['kind']=='original':
            for b in l['boxes']:
                if max(b[2],b[3])>=20: groups['orig'].append([i for i,d in zip(idx,v['detections']) if iou(d['box'],b)>=0.3])
        elif v['kind']=='output':
            outputs+=1
            for i,d in zip(idx,v['detections']):
                if not any(ov(d['box'],b) for b in l['boxes'] if b[2]>0 and b[3]>0): groups['out'].append((i,'fa',outputs))
                elif d['maskCentral']>0: groups['out'].append((i,'pf',outputs))
                else: groups['out'].append((i,'ok',outputs))
        else:
            b=l['boxes'][v['leftOutLabel']]
            if ellipse_share(b,v['painted'])>=0.5: covered+=1; continue
            groups['lo'].append([i for i,d in zip(idx,v['detections']) if iou(d['box'],b)>=0.3])
D=np.array(D)
S,MG,FILL,CC,RC,GRID,FLAT,MASK,CENTRE=D.T
def metrics(rep, painted):
    r=rep.copy()
    if painted is not None: r_p=r & ~(painted)
    else: r_p=r
    res={}
    for name,rr,usep in (('alone',r,False),('--verify',r_p,True)):
        fa=sum(1 for i,c,o in groups['out'] if c=='fa' and rr[i]); pf=sum(1 for i,c,o in groups['out'] if c=='pf' and rr[i])
        fl=len({o for i,c,o in groups['out'] if rr[i]})
        og=np.mean([any(r[i] for i in g) for g in groups['orig']])*100
        lo=np.mean([any(rr[i] for i in g) for g in groups['lo']])*100
        res[name]=(fa,pf,fl,og,lo)
    return res
def rule(t=0.2, mg=0.6, fill=0.5, conc=0.7, grid=None, flat=None):
    red=(MG<mg)|(FILL>=fill)|((CC>=conc)&(RC>=conc))
    if grid is not None: red|=(GRID>=grid)&(FLAT>=flat)
    return (S>=t)&~red
print("outputs",outputs,"left-out counted",len(groups['lo']),"still painted",covered,"orig faces",len(groups['orig']))
def show(name,rep,painted):
    m=metrics(rep,painted)
    print(f"{name:55s}", " | ".join(f"{k}: fa {v[0]} pf {v[1]} flagged {v[2]} orig {v[3]:.1f} lo {v[4]:.1f}" for k,v in m.items()))
show("current", rule(), CENTRE>0)
res=[]
for t,mg,fill,conc,grid,flat,mk in itertools.product([0.2,0.25,0.3,0.35],[0.6,0.3,0.15],[0.5,0.6,0.7],[0.7,0.8,1.1],[None,0.6,0.65,0.7,0.75],[0.5,0.6,0.7],[0.3,0.5]):
    if grid is None and flat!=0.5: continue
    rep=rule(t,mg,fill,conc,grid,flat); m=metrics(rep, MASK>=mk)
    res.append(((t,mg,fill,conc,grid,flat,mk),m))
for target in [95, 95.5, 96]:
  print("== both hit rates >=",target)
  ok=[r for r in res if r[1]['alone'][3]>=target and r[1]['alone'][4]>=target and r[1]['--verify'][4]>=target]
  for p,m in sorted(ok,key=lambda r:(r[1]['--verify'][0]+r[1]['--verify'][1], r[1]['alone'][0]+r[1]['alone'][1]))[:8]:
    print(p, " | ".join(f"{k}: fa {v[0]} pf {v[1]} flagged {v[2]} orig {v[3]:.1f} lo {v[4]:.1f}" for k,v in m.items()))

print("--- FA breakdown, --verify mode, current t=0.2 with mask 0.5 and mg .15 fill .5 grid .7 flat .5")
rep=rule(0.2,0.15,0.5,0.7,0.7,0.5)&~(MASK>=0.5)
fa=[i for i,c,o in groups['out'] if c=='fa' and rep[i]]
import collections
print("scores", np.histogram(S[fa],[0.2,0.25,0.3,0.35,0.4,0.5,0.6,1])[0])
print("--- trade-off (new evidence: mg<.15, fill>=.5, grid>=.7&flat>=.5; --verify: painted share>=.5)")
for t in [0.2,0.3,0.35,0.4,0.45,0.5]:
    show(f"t={t}", rule(t,0.15,0.5,0.7,0.7,0.5), MASK>=0.5)
for t in [0.2,0.3,0.4,0.5]:
    show(f"old evidence t={t} mask", rule(t), MASK>=0.5)
